"""Campaigns of a streamed analysis: the sample's, grown by exact copies, and exact copies.

MinHash LSH over a million answers would hold their signatures (64 permutations x 8 bytes x
1M = 512 MB, the sets besides), so near-duplicates are found only within the sample (by
campaigns.find_campaigns, in the pipeline's fit). Over every answer, an 8-byte hash of the
question and the normalised text (the words, lower case, at least 5: find_campaigns' rule)
finds exact copies: a copy of a sampled campaign's text joins that campaign, and the other
texts sent at least twice make campaigns of their own (largest first, numbered after the
sample's). Then ``NearCopies`` joins edited copies of the sample's campaigns (a MinHash index
of the sample's members only). Lost against the in-memory analysis: near-duplicate groups
with fewer than two members in the sample (small ones: pairs and handfuls of edited copies
at a 2% sample) are found only where their copies are word for word; and with
--count-campaigns-once, edited copies found outside the sample weigh as members of the
campaign's size before they joined (its sampled members and exact copies).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from consulta.analysis.campaigns import _id_key, normalise

CAMPAIGN_MIN_WORDS = 5  # campaigns.find_campaigns' min_words


class CampaignBook:
    """Every answer's campaign from its text's hash; the campaigns' rows, counted as answers
    are added. ``hashes``: per answer (0: too short to be a campaign); ``question_numbers``:
    per answer, an index into ``questions``; ``sample_campaigns``: the sample's campaign rows;
    ``sample_members``: (text hash, question, campaign) of the sample's campaign members."""

    def __init__(self, hashes: np.ndarray, question_numbers: np.ndarray,
                 questions: Sequence[str], sample_campaigns: Iterable[dict],
                 sample_members: Iterable[tuple[int, str, str]]):
        self.by_hash: dict[int, tuple[str, str]] = {}
        self.records: dict[tuple[str, str], dict] = {}
        numbers: dict[str, int] = {}
        for row in sample_campaigns:  # members and sizes are counted again as answers come
            self.records[(row["question"], row["campaign"])] = {
                **row, "size": 0, "member_ids": []}
            numbers[row["question"]] = numbers.get(row["question"], 0) + 1
        for text_hash, question, campaign in sample_members:
            if text_hash:
                self.by_hash[text_hash] = (question, campaign)
        distinct, first, counts = np.unique(hashes, return_index=True, return_counts=True)
        for i in np.lexsort((first, -counts)).tolist():
            text_hash = int(distinct[i])
            if text_hash == 0 or counts[i] < 2 or text_hash in self.by_hash:
                continue
            question = questions[int(question_numbers[first[i]])]
            numbers[question] = numbers.get(question, 0) + 1
            campaign = f"c{numbers[question]:02d}"
            self.by_hash[text_hash] = (question, campaign)
            self.records[(question, campaign)] = {
                "question": question, "campaign": campaign, "size": 0,
                "template_text": None, "member_ids": []}
        # Final sizes, known before any answer is added (count_campaigns_once weighs by them).
        count_of = dict(zip(distinct.tolist(), counts.tolist()))
        self.sizes: dict[tuple[str, str], int] = {}
        for text_hash, key in self.by_hash.items():
            self.sizes[key] = self.sizes.get(key, 0) + count_of.get(text_hash, 0)

    def campaign_of(self, text_hash: int, given: str = "") -> str:
        """The campaign of an answer with this hash; ``given``: the sample's, if any."""
        if given or not text_hash:
            return given
        return self.by_hash.get(text_hash, ("", ""))[1]

    def size(self, question: str, campaign: str) -> int:
        return max(self.sizes.get((question, campaign), 1), 1)

    def add(self, question: str, campaign: str, answer_id: str, text: str) -> None:
        record = self.records[(question, campaign)]
        record["size"] += 1
        record["member_ids"].append(answer_id)
        if record["template_text"] is None:
            record["template_text"] = text

    def rows(self, question_order: dict[str, int]) -> list[dict]:
        """campaigns.csv's rows: per question, largest first; members in id order."""
        out = sorted((r for r in self.records.values() if r["size"] >= 2),
                     key=lambda r: (question_order[r["question"]], -r["size"], r["campaign"]))
        for record in out:
            record["template_text"] = record["template_text"] or ""
            record["member_ids"] = sorted(record["member_ids"], key=_id_key)
        return out


class NearCopies:
    """The sample's campaign members, indexed by MinHash bands (campaigns.py's scheme: word
    shingles, 64 permutations, datasketch's banding), so that an answer outside the sample
    that is a near copy of one (Jaccard of their words >= ``threshold``) joins its campaign.

    Bounded by the sample: a campaign needs two members among the sampled answers to be
    found at all (at a 2% sample, campaigns of about 100 answers and more), and then every
    edited copy of it joins, wherever it is in the input. ``members``: (question, campaign,
    text) of the sample's campaign members."""

    def __init__(self, members: Iterable[tuple[str, str, str]], threshold: float = 0.8,
                 num_perm: int = 64, seed: int = 1):
        from datasketch import MinHashLSH

        from consulta.analysis.campaigns import _permutations

        self.threshold = threshold
        self.permutations = _permutations(num_perm, seed)
        self.ranges = MinHashLSH(threshold=max(0.3, threshold - 0.1), num_perm=num_perm,
                                 weights=(0.1, 0.9)).hashranges
        self.members: list[tuple[str, str, frozenset]] = []
        self.tables: list[dict[bytes, list[int]]] = [{} for _ in self.ranges]
        kept = [(q, c, words) for q, c, text in members
                if len(words := normalise(text)) >= CAMPAIGN_MIN_WORDS]
        if not kept:
            return
        hashes, signatures = self._sign([words for _, _, words in kept])
        for number, ((question, campaign, _), shingles) in enumerate(zip(kept, hashes)):
            self.members.append((question, campaign, frozenset(shingles.tolist())))
            for table, key in zip(self.tables, self._keys(signatures[number])):
                table.setdefault(key, []).append(number)

    def __bool__(self) -> bool:
        return bool(self.members)

    def campaigns_of(self, question: str, texts: Sequence[str]) -> list[str]:
        """Per text, the campaign it is a near copy of ("" when none)."""
        out = [""] * len(texts)
        if not self.members:
            return out
        rows = [(i, words) for i, text in enumerate(texts)
                if len(words := normalise(text)) >= CAMPAIGN_MIN_WORDS]
        if not rows:
            return out
        hashes, signatures = self._sign([words for _, words in rows])
        for (i, _), shingles, signature in zip(rows, hashes, signatures):
            candidates = {m for table, key in zip(self.tables, self._keys(signature))
                          for m in table.get(key, ())}
            best, best_score = "", self.threshold
            mine = frozenset(shingles.tolist())
            for m in sorted(candidates):
                member_question, campaign, theirs = self.members[m]
                if member_question != question:
                    continue
                score = len(mine & theirs) / len(mine | theirs) if mine or theirs else 1.0
                if score >= best_score and not (score == best_score and best):
                    best, best_score = campaign, score
            out[i] = best
        return out

    def _sign(self, documents: list[list[str]]):
        from consulta.analysis.campaigns import _shingle_hashes, _signatures

        hashes = _shingle_hashes(documents, 1)
        return hashes, _signatures(hashes, self.permutations)

    def _keys(self, signature: np.ndarray) -> list[bytes]:
        return [signature[start:end].tobytes() for start, end in self.ranges]
