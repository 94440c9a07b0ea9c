"""Campaigns: exact and near-duplicate answers (form letters with small edits), grouped.

1. Each text is normalised (case, punctuation, whitespace); equal normalised texts are exact
   duplicates and are handled once from then on.
2. Each distinct text becomes a set of word shingles (``shingle_size`` consecutive words,
   hashed with CRC-32 so the hashes do not depend on the input order or the process). The
   default is single words: an edited word then changes one element of the set, not two or
   three, so a 30-word letter with two words changed stays above a 0.8 Jaccard similarity.
3. MinHash signatures are computed for all texts at once with numpy, using the permutation
   scheme of datasketch 2 ("affine32": a * h + b mod 2**32, the same values as its ``MinHash``),
   and bucketed with the banding that datasketch's ``MinHashLSH`` chooses, at a threshold a
   little below ``threshold`` so that few true pairs are missed.
4. Texts that share an LSH bucket are verified with the exact Jaccard similarity of their
   shingle sets (>= ``threshold``) and joined with a disjoint set (scipy's union-find).
5. Each group of two or more answers is a :class:`Campaign` with a template: the distinct text
   with the highest total Jaccard similarity to the others (the medoid), weighted by how many
   answers used it.

Deterministic: fixed permutation seed, sorted ids, campaigns ordered by size then first id.
Answers shorter than ``min_words`` words ("No", "Agree") are never a campaign: many people
giving the same two-word answer is agreement, not a form letter.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHashLSH
from scipy.cluster.hierarchy import DisjointSet

_WORD = re.compile(r"[^\W_]+")
_BLOCK_SHINGLES = 200_000  # signatures are computed this many shingles at a time (~50 MB)
_MAX_LEADERS = 8  # per LSH bucket, texts a newcomer is verified against before it leads
_MEDOID_CANDIDATES = 200  # the template is chosen among this many most-used distinct texts


@dataclass(frozen=True)
class Campaign:
    id: str
    member_ids: tuple
    size: int
    template_text: str


def find_campaigns(
    texts: Sequence[str],
    ids: Sequence[Hashable],
    threshold: float = 0.8,
    *,
    shingle_size: int = 1,
    num_perm: int = 64,
    min_words: int = 5,
    seed: int = 1,
) -> list[Campaign]:
    """Campaigns among ``texts`` (one id each), largest first; answers in none are left out."""
    if len(texts) != len(ids):
        raise ValueError("texts and ids must have the same length")
    if len(set(ids)) != len(ids):
        raise ValueError("ids must be unique")
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    exact = _exact_groups(texts, max(min_words, shingle_size))
    words = [words for words, _ in exact]
    hashes = _shingle_hashes(words, shingle_size)
    sets = _DistinctSets(hashes)
    uses = [len(rows) for _, rows in exact]
    joined = _near_duplicates(hashes, sets, uses, threshold, num_perm, seed)
    groups: dict[int, list[int]] = {}
    for distinct in range(len(exact)):
        groups.setdefault(joined[distinct], []).append(distinct)
    found = []
    for members in groups.values():
        if len(members) == 1 and len(exact[members[0]][1]) == 1:
            continue  # the usual case: an answer like no other
        rows = sorted(row for distinct in members for row in exact[distinct][1])
        if len(rows) >= 2:
            template = _medoid(members, exact, sets)
            found.append((sorted((ids[row] for row in rows), key=_id_key),
                          texts[exact[template][1][0]]))
    found.sort(key=lambda item: (-len(item[0]), _id_key(item[0][0])))
    width = max(2, len(str(len(found))))
    return [Campaign(id=f"c{i:0{width}d}", member_ids=tuple(members), size=len(members),
                     template_text=template)
            for i, (members, template) in enumerate(found, start=1)]


def campaign_of(campaigns: Iterable[Campaign], ids: Iterable[Hashable] | None = None) -> dict:
    """Answer id -> campaign id; with ``ids``, every one of them ("" when in no campaign)."""
    mapping = {member: c.id for c in campaigns for member in c.member_ids}
    if ids is None:
        return mapping
    return {answer_id: mapping.get(answer_id, "") for answer_id in ids}


def campaign_weights(campaigns: Iterable[Campaign], ids: Iterable[Hashable]) -> dict:
    """Weights for ``groups.who_said_what`` so each campaign counts once: 1/size per member."""
    weights = {member: 1.0 / c.size for c in campaigns for member in c.member_ids}
    return {answer_id: weights.get(answer_id, 1.0) for answer_id in ids}


def normalise(text: str) -> list[str]:
    """The words of a text, lower-cased, without punctuation."""
    return _WORD.findall((text or "").lower())


def _exact_groups(texts: Sequence[str], min_words: int) -> list[tuple[list[str], list[int]]]:
    """(words, input rows) per distinct normalised text with at least ``min_words`` words."""
    groups: dict[str, tuple[list[str], list[int]]] = {}
    for row, text in enumerate(texts):
        words = normalise(text)
        if len(words) >= min_words:
            groups.setdefault(" ".join(words), (words, []))[1].append(row)
    return list(groups.values())


def _shingle_hashes(documents: list[list[str]], k: int) -> list[np.ndarray]:
    """Per document, the uint32 hashes of its k-word shingles (with repeats)."""
    vocabulary: dict[str, int] = {}
    for words in documents:
        for word in words:
            if word not in vocabulary:
                vocabulary[word] = zlib.crc32(word.encode("utf-8"))
    if not documents:
        return []
    flat = np.array([vocabulary[w] for words in documents for w in words], dtype=np.uint64)
    lengths = np.array([len(words) for words in documents])
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    count = lengths - k + 1
    # Shingle positions: for each document, its first len-k+1 word positions.
    positions = np.repeat(starts, count) + _ranges(count)
    combined = np.zeros(len(positions), dtype=np.uint64)
    with np.errstate(over="ignore"):  # wrapping uint64 arithmetic is intended
        for offset in range(k):
            combined = _mix(combined * np.uint64(0x100000001B3) + flat[positions + offset])
    shingles = (combined >> np.uint64(32)).astype(np.uint32)
    return np.split(shingles, np.cumsum(count)[:-1])


def _near_duplicates(hashes, sets, uses, threshold: float, num_perm: int, seed: int) -> list[int]:
    """For each distinct text, a representative of its near-duplicate group."""
    n = len(hashes)
    joined = DisjointSet(range(n))
    if n >= 2:
        signatures = _signatures(hashes, _permutations(num_perm, seed))
        for bucket in _lsh_buckets(signatures, max(0.3, threshold - 0.1)):
            # The most used version of a text leads its bucket: most likely the template.
            bucket.sort(key=lambda d: (-uses[d], d))
            _verify_bucket(bucket, sets, threshold, joined)
    return [joined[i] for i in range(n)]


def _lsh_buckets(signatures: np.ndarray, threshold: float) -> Iterable[list[int]]:
    """Groups of documents sharing a band of their signatures (candidates, not yet verified).

    The banding (b bands of r rows) is the one datasketch's ``MinHashLSH`` chooses for this
    threshold and signature length (its weighted optimum of false positives and negatives).
    The bands are then bucketed with numpy rather than by inserting documents one at a time in
    ``MinHashLSH``, which took about 5 s of the 100k-answer budget on its own.
    """
    # Missing a true pair costs more than verifying a false one, so weigh false negatives 9:1.
    index = MinHashLSH(threshold=threshold, num_perm=signatures.shape[1], weights=(0.1, 0.9))
    for start, end in index.hashranges:
        band = np.ascontiguousarray(signatures[:, start:end])
        keys = band.view(np.dtype((np.void, band.dtype.itemsize * band.shape[1]))).ravel()
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
        starts, ends = np.concatenate(([0], cuts)), np.concatenate((cuts, [len(order)]))
        shared = ends - starts > 1
        for first, last in zip(starts[shared].tolist(), ends[shared].tolist()):
            yield order[first:last].tolist()


def _verify_bucket(members: list[int], sets, threshold: float, joined: DisjointSet) -> None:
    """Join each member to the first bucket leader it truly resembles (exact Jaccard)."""
    leaders: list[int] = []
    for member in members:
        for leader in leaders:
            if joined.connected(member, leader) or sets.jaccard(member, leader) >= threshold:
                joined.merge(member, leader)
                break
        else:
            if len(leaders) < _MAX_LEADERS:
                leaders.append(member)


def _medoid(members: list[int], exact, sets) -> int:
    """The distinct text most similar to the others, weighted by how often each was used."""
    if len(members) == 1:
        return members[0]
    candidates = sorted(members, key=lambda d: (-len(exact[d][1]), exact[d][1][0]))
    candidates = candidates[:_MEDOID_CANDIDATES]
    uses = [len(exact[d][1]) for d in candidates]

    def closeness(d: int) -> float:
        return sum(u * (1.0 if d == o else sets.jaccard(d, o)) for o, u in zip(candidates, uses))

    return max(candidates, key=lambda d: (closeness(d), -exact[d][1][0]))


class _DistinctSets:
    """Shingle sets built on first use: most texts never need an exact Jaccard."""

    def __init__(self, hashes: list[np.ndarray]) -> None:
        self.hashes = hashes
        self.sets: dict[int, frozenset] = {}

    def get(self, i: int) -> frozenset:
        found = self.sets.get(i)
        if found is None:
            found = self.sets[i] = frozenset(self.hashes[i].tolist())
        return found

    def jaccard(self, i: int, j: int) -> float:
        a, b = self.get(i), self.get(j)
        return len(a & b) / len(a | b) if a or b else 1.0


def _permutations(num_perm: int, seed: int) -> np.ndarray:
    """datasketch's affine32 permutations for ``seed`` (odd multipliers), built directly."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([a, b])


def _signatures(hashes: list[np.ndarray], permutations: np.ndarray) -> np.ndarray:
    """MinHash signatures (documents x num_perm, uint32), vectorised in blocks."""
    a, b = permutations
    lengths = np.array([len(h) for h in hashes])
    ends = np.cumsum(lengths)
    signatures = np.empty((len(hashes), len(a)), dtype=np.uint32)
    first = 0
    while first < len(hashes):
        last = int(np.searchsorted(ends, ends[first] - lengths[first] + _BLOCK_SHINGLES, "right"))
        last = max(last, first + 1)
        block = _fmix32(np.concatenate(hashes[first:last]))
        permuted = block[:, None] * a[None, :] + b[None, :]
        offsets = np.concatenate(([0], np.cumsum(lengths[first:last])[:-1]))
        signatures[first:last] = np.minimum.reduceat(permuted, offsets, axis=0)
        first = last
    return signatures


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, which datasketch applies before its permutations."""
    h = (h ^ (h >> np.uint32(16))) * np.uint32(0x85EBCA6B)
    h = (h ^ (h >> np.uint32(13))) * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _ranges(counts: np.ndarray) -> np.ndarray:
    """0..c-1 for each c in counts, concatenated."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total) - starts


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the whole 64-bit word."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _id_key(value: Hashable) -> tuple:
    """Sort numbers numerically and everything else as text, numbers first."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))
