"""The analysis of a large input (a million answers) in memory that does not grow with it.

Three passes over the file, a chunk of answers at a time (stream_read.py):
1. **Embed**: each chunk's answers are segmented into points and embedded (stream_embed.py:
   the same vector space for every chunk); the vectors go to disk as float16 (vectorstore.py),
   with a manifest, so a run stopped half-way restarts from the chunks already embedded. The
   pass also keeps, per question, a seeded sample of ``sample_size`` answers (the smallest
   hashes of seed, question and id) and an 8-byte hash of every answer's normalised text.
2. **Fit**: the in-memory pipeline analyses the sample, with the stored vectors: themes,
   labels, summaries, quotes, stance, campaigns and each sampled answer's row.
3. **Assign**: every other answer's points go to the nearest theme centroid, or to "other" by
   the theme model's rule (robust z-score of the similarity below -3 against the sample's
   members); confidence, sentiment, framing and stance as the pipeline computes them; rows are
   appended to answers.csv chunk by chunk and counted (stream_tally.py). Answers in the sample
   keep the row the fit gave them, so with a sample as big as the input this is the in-memory
   analysis, chunk by chunk.

Campaigns: the sample's near-duplicates, joined by their edited copies anywhere, and exact
copies over everything (stream_campaigns.py says what that loses).
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from consulta.analysis.campaigns import normalise
from consulta.analysis.pipeline import STAGES, AnalysisConfig, _Run, _versions
from consulta.analysis.records import Answer, Columns, RecordsError, by_question
from consulta.analysis.results import Analysis, QuestionResult
from consulta.analysis.segment import drop_filler, segment_answers
from consulta.analysis.stream_assign import Assigner, KnownVectors
from consulta.analysis.stream_campaigns import CampaignBook, NearCopies
from consulta.analysis.stream_embed import ChunkEmbedder
from consulta.analysis.stream_read import count_rows, read_chunks
from consulta.analysis.stream_tally import GroupTally, QuestionTally, segment_words
from consulta.analysis.vectorstore import VectorStore

#: Inputs larger than this (answers) are analysed streaming by ``consulta analyse``.
STREAM_ABOVE = 200_000
CAMPAIGN_MIN_WORDS = 5  # campaigns.find_campaigns' min_words


@dataclass
class StreamConfig:
    chunk_size: int = 50_000  # answers read, embedded and assigned at a time
    sample_size: int = 20_000  # answers per question the themes are fitted on
    work_dir: str | None = None  # vectors and manifest (default: OUT/.consulta-work)
    ray_address: str | None = None  # embed on this Ray cluster
    dtype: str = "float16"
    stop_after_chunks: int | None = None  # stop after embedding this many (tests, trials)


class StreamStopped(RuntimeError):
    """Raised when ``stop_after_chunks`` chunks were embedded: run again to go on."""


@dataclass
class StreamResult:
    analysis: Analysis  # its ``answers`` are empty: they are in answers.csv
    written: list[Path]
    chunks: int
    resumed_chunks: int
    embedded_chunks: int
    timings: dict[str, float] = field(default_factory=dict)


def analyse_stream(path: str | Path, columns: Columns, out_dir: str | Path,
                   config: AnalysisConfig | None = None, stream: StreamConfig | None = None,
                   *, progress: bool = False) -> StreamResult:
    """Analyse the answers in ``path`` (CSV or JSONL) into ``out_dir``, streaming."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):  # as pipeline.analyse, and why
        return _Stream(Path(path), columns, Path(out_dir), config or AnalysisConfig(),
                       stream or StreamConfig(), progress).run()


class _Stream:
    def __init__(self, path, columns, out, config, stream, progress):
        self.path, self.columns, self.out = path, columns, out
        self.config, self.stream, self.progress = config, stream, progress
        self.timings: dict[str, float] = {}
        work = Path(stream.work_dir) if stream.work_dir else out / ".consulta-work"
        info = path.stat()
        self.store = VectorStore(work, {
            "input": str(path.resolve()), "size": info.st_size, "mtime_ns": info.st_mtime_ns,
            "columns": [columns.text, columns.id, columns.question],
            "embedder": config.embedder, "chunk_size": stream.chunk_size,
        }, dtype=stream.dtype)
        self.embedder = ChunkEmbedder(config.embedder, self.store.state_path("embedder"),
                                      config.cache_dir, stream.ray_address)

    def run(self) -> StreamResult:
        started = time.perf_counter()
        self.store.open()
        self.total = count_rows(self.path, self.columns)
        self._lap("count", started)
        embedded = self._embed_pass()
        self._fit()
        self._plan_campaigns()
        written = self._assign_pass()
        analysis = self._finish()
        written += self._write(analysis)
        self.timings["total"] = time.perf_counter() - started
        analysis.timings = {k: round(v, 3) for k, v in self.timings.items()}
        _write_json(analysis, self.out)
        return StreamResult(analysis, written, self.chunks, len(self.store.resumed_),
                            embedded, dict(analysis.timings))

    def _lap(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - since
        return now

    def _bar(self, desc: str):
        from tqdm import tqdm

        return tqdm(total=self.total, disable=not self.progress, unit="answers", desc=desc)

    # -- pass 1: embed -----------------------------------------------------------------------

    def _embed_pass(self) -> int:
        self.questions: dict[str, int] = {}
        samples: dict[str, list] = {}
        text_hashes, id_hashes, question_numbers, self.chunks, embedded = [], [], [], 0, 0
        with_text = 0
        bar, clock = self._bar("embedding"), time.perf_counter()
        for index, chunk in enumerate(read_chunks(self.path, self.columns,
                                                  self.stream.chunk_size)):
            self.chunks = index + 1
            start = index * self.stream.chunk_size
            text_hashes.append(np.array([_text_hash(a) for a in chunk], dtype=np.uint64))
            id_hashes.append(np.array([_hash(a.question, a.id) for a in chunk],
                                      dtype=np.uint64))
            with_text += sum(not a.empty for a in chunk)
            for offset, answer in enumerate(chunk):
                self.questions.setdefault(answer.question, len(self.questions))
                self._keep_sample(samples, start + offset, answer)
            question_numbers.append(np.array([self.questions[a.question] for a in chunk],
                                             dtype=np.int32))
            clock = self._lap("read", clock)
            if not self.store.done(index):
                if (self.stream.stop_after_chunks is not None
                        and embedded >= self.stream.stop_after_chunks):
                    raise StreamStopped(f"stopped after embedding {embedded} chunk(s)")
                points, counts = _points(chunk)
                clock = self._lap("segment", clock)
                spans = np.array([(p.start, p.end, p.filler) for p in points],
                                 dtype=np.int32).reshape(-1, 3)
                self.store.save(index, self.embedder.embed([p.text for p in points]),
                                len(chunk), counts, spans)
                embedded += 1
                clock = self._lap("embed", clock)
            bar.update(len(chunk))
        bar.close()
        if sum(len(h) for h in text_hashes) < 2:
            raise RecordsError(f"{self.path.name} has fewer than two answers; finding themes "
                               "needs at least two.")
        if not with_text:
            raise RecordsError(f"All the answers in {self.path.name} are empty (blank, 'n/a', "
                               "'none', ...): is --text-column the column that holds them?")
        self.text_hashes = np.concatenate(text_hashes)
        self.question_numbers = np.concatenate(question_numbers)
        _check_ids(np.concatenate(id_hashes), self.path.name)
        self.samples = {q: sorted((i, a) for _, i, a in kept) for q, kept in samples.items()}
        return embedded

    def _keep_sample(self, samples: dict, index: int, answer: Answer) -> None:
        """Per question, the answers with the smallest hashes of (seed, question, id)."""
        key = -_hash(str(self.config.seed), answer.question, answer.id)
        kept = samples.setdefault(answer.question, [])
        if len(kept) < self.stream.sample_size:
            heapq.heappush(kept, (key, index, answer))
        elif key > kept[0][0]:
            heapq.heapreplace(kept, (key, index, answer))

    # -- pass 2: fit on the sample ---------------------------------------------------------

    def _fit(self) -> None:
        from tqdm import tqdm

        clock = time.perf_counter()
        run = _Run(self.config, None, {})
        self.run_ = run
        self.assigners: dict[str, Assigner] = {}
        self.sample_rows: dict[tuple[str, str], tuple] = {}
        self.fitted: dict[str, QuestionResult] = {}
        run.on_fitted = self._keep_fit
        bar = tqdm(total=len(self.samples) * len(STAGES), disable=not self.progress,
                   unit="step", desc="themes (sample)")
        for question in self.questions:
            indexed = self.samples[question]
            answers = [a for _, a in indexed]
            run.embedder = KnownVectors(self._sample_vectors(indexed), self.embedder)
            summary, rows = run.question(question, answers, bar)
            self.fitted[question] = summary
            for (index, answer), row in zip(indexed, rows):
                self.sample_rows[(question, answer.id)] = (row, segment_words(row, answer.text))
        run.embedder = self.embedder
        bar.close()
        self._lap("fit", clock)

    def _keep_fit(self, question, model, X, points, owner, sides) -> None:
        self.assigners[question] = Assigner(self.run_, question, model, X, sides)

    def _sample_vectors(self, indexed: list[tuple[int, Answer]]) -> dict[str, np.ndarray]:
        """Point text -> stored vector, for the sampled answers' points."""
        size, known = self.stream.chunk_size, {}
        by_chunk: dict[int, list[tuple[int, Answer]]] = {}
        for index, answer in indexed:
            by_chunk.setdefault(index // size, []).append((index % size, answer))
        for chunk, members in by_chunk.items():
            vectors, offsets = self.store.vectors(chunk), self.store.offsets(chunk)
            spans = self.store.spans(chunk)
            for local, answer in members:
                rows = slice(offsets[local], offsets[local + 1])
                for (start, end, _), vector in zip(spans[rows], vectors[rows]):
                    known[answer.text[start:end]] = np.asarray(vector, dtype=np.float32)
        return known

    # -- campaigns -------------------------------------------------------------------------

    def _plan_campaigns(self) -> None:
        members = ((int(self.text_hashes[index]), question, row.campaign)
                   for question, answers in self.samples.items() for index, answer in answers
                   for row, _ in [self.sample_rows[(question, answer.id)]] if row.campaign)
        self.campaigns = CampaignBook(self.text_hashes, self.question_numbers,
                                      list(self.questions), self.run_.campaign_rows, members)
        self.near = NearCopies((question, row.campaign, answer.text)
                               for question, answers in self.samples.items()
                               for _, answer in answers
                               for row, _ in [self.sample_rows[(question, answer.id)]]
                               if row.campaign)

    # -- pass 3: assign and write ----------------------------------------------------------

    def _assign_pass(self) -> list[Path]:
        from consulta.analysis.outputs import ANSWER_COLUMNS, _answer_row, safe_cell

        self.out.mkdir(parents=True, exist_ok=True)
        self.tallies = {q: QuestionTally(q, {t.theme: t.parent for t in s.themes if t.parent})
                        for q, s in self.fitted.items()}
        self.groups = {q: GroupTally() for q in self.questions}
        path = self.out / "answers.csv"
        bar, clock = self._bar("coding"), time.perf_counter()
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(ANSWER_COLUMNS)
            handle.flush()
            for index, chunk in enumerate(read_chunks(self.path, self.columns,
                                                      self.stream.chunk_size)):
                rows = self._assign_chunk(index, chunk)
                for row in rows:
                    writer.writerow([safe_cell(v) for v in _answer_row(row).values()])
                handle.flush()  # the rows of every chunk done are on disk
                bar.update(len(chunk))
        bar.close()
        self._lap("assign", clock)
        self.timings["assign"] -= self.timings.get("campaigns", 0.0)  # timed on its own
        return [path]

    def _assign_chunk(self, index: int, chunk: list[Answer]) -> list:
        start = index * self.stream.chunk_size
        vectors, offsets = self.store.vectors(index), self.store.offsets(index)
        spans = self.store.spans(index)
        rows: list = [None] * len(chunk)
        words: list[dict] = [{}] * len(chunk)
        reasons: dict[int, str] = {}
        for question, members in by_question(chunk).items():
            fresh = [i for i in members if (question, chunk[i].id) not in self.sample_rows]
            for i in members:
                if (question, chunk[i].id) in self.sample_rows:
                    rows[i], words[i] = self.sample_rows[(question, chunk[i].id)]
            if fresh:
                found = self.assigners[question].assign(
                    [chunk[i] for i in fresh],
                    [np.asarray(vectors[offsets[i]:offsets[i + 1]], dtype=np.float32)
                     for i in fresh],
                    [spans[offsets[i]:offsets[i + 1]] for i in fresh])
                for i, (row, point_words, reason) in zip(fresh, found):
                    rows[i], words[i] = row, point_words
                    if reason:
                        reasons[i] = reason
                self._join_near_copies(question, chunk, fresh, rows, start)
        for i, row in enumerate(rows):
            self._count(row, chunk[i], int(self.text_hashes[start + i]), words[i],
                        reasons.get(i, ""))
        return rows

    def _join_near_copies(self, question: str, chunk: list[Answer], fresh: list[int],
                          rows: list, start: int) -> None:
        """Edited copies of the sample's campaigns join them (exact copies are known)."""
        if not self.near:
            return
        clock = time.perf_counter()
        unknown = [i for i in fresh
                   if int(self.text_hashes[start + i]) not in self.campaigns.by_hash]
        for i, campaign in zip(unknown, self.near.campaigns_of(
                question, [chunk[i].text for i in unknown])):
            rows[i].campaign = campaign
        self._lap("campaigns", clock)

    def _count(self, row, answer: Answer, text_hash: int, words: dict, reason: str) -> None:
        row.campaign = self.campaigns.campaign_of(text_hash, row.campaign)
        weight = 1.0
        if row.campaign:
            self.campaigns.add(answer.question, row.campaign, answer.id, answer.text)
            if self.config.count_campaigns_once:
                weight = 1.0 / self.campaigns.size(answer.question, row.campaign)
        self.tallies[answer.question].add(row, words, reason)
        self.groups[answer.question].add(row, weight)

    # -- results ---------------------------------------------------------------------------

    def _finish(self) -> Analysis:
        clock = time.perf_counter()
        questions, groups = [], []
        for question, fitted in self.fitted.items():
            tally = self.tallies[question]
            questions.append(QuestionResult(
                question=question, answers=tally.answers, empty=tally.empty,
                other=tally.other, themes=tally.themes(fitted.themes),
                selection=fitted.selection,
                other_reasons={**fitted.other_reasons, **tally.other_reasons},
                coding=None, no_content=tally.no_content))
            if self.config.group_columns:
                groups.extend({"question": question, **row}
                              for row in self.groups[question].rows(self.config.min_group_size))
        campaigns = self.campaigns.rows(self.questions)
        self._lap("groups", clock)
        config = {**asdict(self.config), "stream": asdict(self.stream)}
        return Analysis(config=config, versions=_versions(),
                        embedder=self.embedder.describe(), timings={}, questions=questions,
                        answers=[], groups=groups, campaigns=campaigns)

    def _write(self, analysis: Analysis) -> list[Path]:
        from consulta.analysis.groups import GROUP_COLUMNS
        from consulta.analysis.outputs import CAMPAIGN_COLUMNS, THEME_COLUMNS, _write_csv

        clock = time.perf_counter()
        written = [
            _write_csv(self.out / "themes.csv", THEME_COLUMNS,
                       (vars(t) for q in analysis.questions for t in q.themes)),
            _write_csv(self.out / "campaigns.csv", CAMPAIGN_COLUMNS, analysis.campaigns),
        ]
        if self.config.group_columns:
            written.append(_write_csv(self.out / "groups.csv", ("question", *GROUP_COLUMNS),
                                      analysis.groups))
        self._lap("write", clock)
        return written + [self.out / "analysis.json"]


# --- helpers ---------------------------------------------------------------------------------


def _points(answers: list[Answer]) -> tuple[list, np.ndarray]:
    """The points of answers with content, in order, and each answer's number of points."""
    full = [i for i, a in enumerate(answers) if not a.empty]
    points = drop_filler(segment_answers([answers[i].text for i in full]))
    counts = np.zeros(len(answers), dtype=np.int32)
    for point in points:
        counts[full[point.answer]] += 1
    return points, counts


def _hash(*parts: str) -> int:
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1


def _text_hash(answer: Answer) -> int:
    """Of the question and normalised text; 0 when too short to be a campaign."""
    words = normalise(answer.text)
    if answer.empty or len(words) < CAMPAIGN_MIN_WORDS:
        return 0
    return _hash(answer.question, " ".join(words))


def _check_ids(hashes: np.ndarray, source: str) -> None:
    if len(np.unique(hashes)) != len(hashes):
        raise RecordsError(f"An id appears more than once for a question in {source}: give "
                           "--id-column a column with one value per answer, or leave it out "
                           "to number the rows.")


def _write_json(analysis: Analysis, out: Path) -> None:
    data = analysis.to_dict()
    data["answers_file"] = "answers.csv"  # streamed: one row per answer there, not here
    (out / "analysis.json").write_text(json.dumps(data, ensure_ascii=False, indent=1,
                                                  default=str), encoding="utf-8")

