"""The streaming analysis of large inputs: the in-memory analysis, chunk by chunk, restartable.

A toy embedder (hashed words, 64 dimensions; registered for these tests only) gives each text
the same vector whatever else is embedded with it, like the transformer, so the streamed and
in-memory analyses see the same vectors and must agree exactly when the sample holds every
answer. Stored as float32 here: float16 moves cosines by about 1e-3, enough to move Ward's
cut on data this small (the themes stay, their numbering can change).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from consulta.analysis import stream as stream_module
from consulta.analysis.embedders import EMBEDDERS
from consulta.analysis.embedders.base import Embedder, normalise_rows
from consulta.analysis.outputs import write_outputs
from consulta.analysis.pipeline import AnalysisConfig, analyse
from consulta.analysis.records import Columns, RecordsError, read_answers
from consulta.analysis.stream import StreamConfig, StreamStopped, analyse_stream
from consulta.analysis.stream_assign import Assigner
from consulta.cli import main

TOPICS = {
    "staffing": (["there are not enough officers on shift", "staff shortages in the control room",
                  "too few staff cover the night shift", "recruitment of officers is too slow"],
                 ["so the team is exhausted.", "and overtime has become normal."]),
    "training": (["training courses on mental health are rarely offered",
                  "refresher training for first aid keeps being cancelled",
                  "the training budget was cut again", "online training modules are dated"],
                 ["so people feel unprepared.", "and skills are slipping."]),
    "technology": (["the radio system keeps dropping out", "laptops in the cars take ages",
                    "the crime recording software crashes daily",
                    "body worn cameras run out of battery"],
                   ["so reports are written twice.", "and evidence is lost."]),
}
LETTER = ("I object to the closure of the front counter at the police station because older "
          "residents rely on it every week")
SECTORS = ["Police", "Health", "Council"]


@cache
def _word_vector(word: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little")
    return np.random.default_rng(seed).standard_normal(64).astype(np.float32)


class WordHashEmbedder(Embedder):
    """Texts sharing words are near: the sum of a fixed random vector per word."""

    name = "wordhash"
    calls: list[int] = []  # texts per call, over every instance

    def embed(self, texts):
        texts = list(texts)
        WordHashEmbedder.calls.append(len(texts))
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]{4,}", text.lower()):
                out[row] += _word_vector(word)
        return normalise_rows(out)


@pytest.fixture(autouse=True)
def wordhash(monkeypatch):
    monkeypatch.setitem(EMBEDDERS, "wordhash", WordHashEmbedder)
    WordHashEmbedder.calls = []


def rows(n_per_topic: int = 32) -> list[dict]:
    out = []
    for i in range(n_per_topic):
        for topic, (subjects, endings) in TOPICS.items():
            text = (f"{subjects[i % len(subjects)].capitalize()} "
                    f"{endings[(i // len(subjects)) % len(endings)]}")
            out.append({"ref": f"R{len(out) + 1:03d}", "sector": SECTORS[len(out) % 3],
                        "answer": text, "topic": topic})
    for i in range(8):  # a campaign: the same letter, twice with an ending
        out.append({"ref": f"L{i}", "sector": "Council", "answer": LETTER + (
            " and the town centre." if i % 4 == 0 else "."), "topic": "letter"})
    out[5]["answer"], out[11]["answer"] = "n/a", "  "
    return out


def write_input(folder: Path, data: list[dict]) -> Path:
    path = folder / "answers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["ref", "sector", "answer", "topic"])
        writer.writeheader()
        writer.writerows(data)
    return path


COLUMNS = Columns(text="answer", id="ref", groups=("sector",))


def config() -> AnalysisConfig:
    return AnalysisConfig(embedder="wordhash", group_columns=["sector"])


def streamed(path: Path, out: Path, **options) -> stream_module.StreamResult:
    settings = {"chunk_size": 30, "sample_size": 10_000, "dtype": "float32", **options}
    return analyse_stream(path, COLUMNS, out, config(), StreamConfig(**settings))


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def both(tmp_path):
    path = write_input(tmp_path, rows())
    write_outputs(analyse(read_answers(path, COLUMNS), config()), tmp_path / "memory")
    result = streamed(path, tmp_path / "stream")
    return tmp_path / "memory", tmp_path / "stream", result


def test_it_gives_the_in_memory_themes_and_codes_when_the_sample_holds_everything(both):
    memory, stream, result = both
    assert result.chunks == 4  # 104 answers, 30 at a time: chunking is exercised
    themes = read(stream / "themes.csv")
    assert themes == read(memory / "themes.csv")  # ids, labels, sizes, respondents
    assert len(themes) > 3
    assert read(stream / "answers.csv") == read(memory / "answers.csv")
    assert read(stream / "groups.csv") == read(memory / "groups.csv")
    assert read(stream / "campaigns.csv") == read(memory / "campaigns.csv")
    assert any(row[1] == "c01" and row[2] == "8" for row in read(stream / "campaigns.csv"))


def test_it_keeps_questions_and_their_campaigns_apart(tmp_path):
    data = rows()
    for number, row in enumerate(data):  # two questions, each with its copies of the letter
        row["question"] = ["Challenges", "Opportunities"][number % 2]
    path = tmp_path / "answers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["ref", "question", "sector", "answer", "topic"])
        writer.writeheader()
        writer.writerows(data)
    columns = Columns(text="answer", id="ref", question="question", groups=("sector",))
    once = AnalysisConfig(embedder="wordhash", group_columns=["sector"],
                          count_campaigns_once=True)
    write_outputs(analyse(read_answers(path, columns), once), tmp_path / "memory")
    result = analyse_stream(path, columns, tmp_path / "stream", once,
                            StreamConfig(chunk_size=25, sample_size=1000, dtype="float32"))
    assert [q.question for q in result.analysis.questions] == ["Challenges", "Opportunities"]
    for name in ("answers.csv", "themes.csv", "groups.csv", "campaigns.csv"):
        assert read(tmp_path / "stream" / name) == read(tmp_path / "memory" / name)
    assert {c["question"] for c in result.analysis.campaigns} == {"Challenges", "Opportunities"}


def test_it_codes_answers_outside_the_sample_with_the_sampled_themes(tmp_path):
    data = rows(40)
    path = write_input(tmp_path, data)
    result = streamed(path, tmp_path / "out", sample_size=50, dtype="float16")
    answers = read(tmp_path / "out" / "answers.csv")
    assert [r[0] for r in answers[1:]] == [r["ref"] for r in data]
    # The sample: the 50 answers with the smallest hashes of seed, question and id.
    sampled = set(sorted((r["ref"] for r in data),
                         key=lambda ref: stream_module._hash("0", "answer", ref))[:50])
    text = {r["ref"]: r["answer"] for r in data}
    fitted: dict[str, set[str]] = {}
    for row in answers[1:]:
        if row[0] in sampled:
            fitted.setdefault(text[row[0]], set()).add(row[2])
    assigned = [(row[2], fitted[text[row[0]]]) for row in answers[1:]
                if row[0] not in sampled and text[row[0]] in fitted]
    # An unseen answer saying what a sampled one says gets its theme: the nearest centroid.
    assert len(assigned) > 30
    assert all(theme in themes for theme, themes in assigned)
    question = result.analysis.questions[0]
    assert question.answers == len(data)
    primary = sum(t.primary for t in question.themes)  # a broad theme is no primary
    assert primary == len(data) - question.empty - question.no_content
    letters = next(c for c in result.analysis.campaigns if "front counter" in c["template_text"])
    assert letters["size"] >= 6  # the exact copies outside the sample join the campaign


def test_edited_copies_of_a_sampled_campaign_join_it_wherever_they_are(tmp_path):
    data = rows(32)
    towns = ["Leeds", "York", "Hull", "Bath", "Ely", "Wells", "Derby", "Exeter", "Truro", "Ripon"]
    letters = [{"ref": f"E{i:02d}", "sector": "Council", "topic": "letter",
                "answer": f"{LETTER} in {towns[i % 10]} number {i}."} for i in range(30)]
    path = write_input(tmp_path, data + letters)
    result = streamed(path, tmp_path / "out", sample_size=40, dtype="float16")
    edited = [c for c in result.analysis.campaigns if "E" in "".join(c["member_ids"])]
    assert len(edited) == 1  # no two letters are alike word for word: all joined as copies
    assert {m for m in edited[0]["member_ids"] if m.startswith("E")} == {
        r["ref"] for r in letters}
    assert result.analysis.timings["campaigns"] >= 0


def test_it_restarts_from_the_chunks_already_embedded(tmp_path):
    path = write_input(tmp_path, rows())
    with pytest.raises(StreamStopped):
        streamed(path, tmp_path / "out", stop_after_chunks=2)
    manifest = (tmp_path / "out" / ".consulta-work" / "manifest.json").read_text()
    assert '"0"' in manifest and '"1"' in manifest and '"2"' not in manifest
    first_calls = len(WordHashEmbedder.calls)
    assert first_calls == 2
    resumed = streamed(path, tmp_path / "out")
    assert (resumed.resumed_chunks, resumed.embedded_chunks) == (2, 2)
    # Chunks 2 and 3 went through the model, not 0 and 1; the fit then reads the sample's
    # vectors from the store (it embeds only what the store does not hold: key points).
    chunks = json.loads((tmp_path / "out" / ".consulta-work" / "manifest.json").read_text())
    assert WordHashEmbedder.calls[first_calls:first_calls + 2] == [
        chunks["chunks"][str(i)]["points"] for i in (2, 3)]
    whole = streamed(path, tmp_path / "again", work_dir=str(tmp_path / "fresh"))
    assert whole.embedded_chunks == 4
    for name in ("answers.csv", "themes.csv", "groups.csv", "campaigns.csv"):
        assert read(tmp_path / "out" / name) == read(tmp_path / "again" / name)


def test_it_starts_afresh_when_the_input_changed(tmp_path):
    path = write_input(tmp_path, rows())
    streamed(path, tmp_path / "out")
    write_input(tmp_path, rows(33))
    again = streamed(path, tmp_path / "out")
    assert again.resumed_chunks == 0 and again.embedded_chunks == again.chunks


def test_it_writes_answers_as_it_goes(tmp_path, monkeypatch):
    path = write_input(tmp_path, rows(40))
    out = tmp_path / "out"
    seen = []
    assign = Assigner.assign

    def watching(self, *args):
        seen.append(len(read(out / "answers.csv")))
        return assign(self, *args)

    monkeypatch.setattr(Assigner, "assign", watching)
    streamed(path, out, sample_size=50)
    assert seen[0] == 1 and seen == sorted(seen) and seen[-1] > 90  # earlier chunks on disk


def test_it_fits_tfidf_once_for_every_chunk(tmp_path):
    path = write_input(tmp_path, rows())
    result = analyse_stream(path, COLUMNS, tmp_path / "out", AnalysisConfig(embedder="tfidf"),
                            StreamConfig(chunk_size=40, sample_size=60))
    assert (tmp_path / "out" / ".consulta-work" / "state-embedder.pickle").exists()
    assert len(read(tmp_path / "out" / "answers.csv")) == len(rows()) + 1
    assert result.analysis.embedder["name"] == "tfidf"


def test_the_command_streams_with_stream_and_above_the_threshold(tmp_path, monkeypatch, capsys):
    path = write_input(tmp_path, rows())
    base = ["analyse", str(path), "--text-column", "answer", "--id-column", "ref",
            "--embedder", "tfidf", "--quiet"]
    assert main([*base, "--out", str(tmp_path / "a"), "--stream", "--chunk-size", "100",
                 "--work-dir", str(tmp_path / "work")]) == 0
    assert "streaming" in capsys.readouterr().err
    assert (tmp_path / "work" / "manifest.json").exists()
    monkeypatch.setattr(stream_module, "STREAM_ABOVE", 50)
    assert main([*base, "--out", str(tmp_path / "b")]) == 0
    assert "streaming" in capsys.readouterr().err
    assert main([*base, "--out", str(tmp_path / "c"), "--stream", "--previous",
                 str(tmp_path / "a")]) == 2
    assert "not with --stream" in capsys.readouterr().err


def test_it_embeds_each_chunk_on_ray_when_given_an_address(tmp_path, monkeypatch):
    """The wiring only (helper module's own tests run a real local cluster): every chunk's
    points go to embed_on_ray with the address, and the results are the local ones."""
    from consulta.analysis.embedders import ray_stage

    asked = []

    def fake_embed_on_ray(texts, *, address, embedder, cache_dir=None, **options):
        asked.append((len(texts), address, embedder))
        return EMBEDDERS[embedder]().embed(texts)

    monkeypatch.setattr(ray_stage, "embed_on_ray", fake_embed_on_ray)
    monkeypatch.setattr("consulta.analysis.stream_embed.PER_TEXT_ON_RAY",
                        frozenset({"wordhash"}))
    path = write_input(tmp_path, rows())
    result = streamed(path, tmp_path / "ray", ray_address="127.0.0.1:6379")
    streamed(path, tmp_path / "local")
    assert [a[1:] for a in asked[:4]] == [("127.0.0.1:6379", "wordhash")] * 4
    assert sum(n for n, _, _ in asked[:4]) == sum(
        json.loads((tmp_path / "ray" / ".consulta-work" / "manifest.json").read_text())
        ["chunks"][str(i)]["points"] for i in range(4))
    assert result.analysis.embedder["ray"] == "127.0.0.1:6379"
    assert read(tmp_path / "ray" / "answers.csv") == read(tmp_path / "local" / "answers.csv")


def test_it_refuses_input_it_cannot_theme_with_a_reason(tmp_path):
    empty = write_input(tmp_path, [{"ref": f"R{i}", "sector": "Police", "answer": "n/a",
                                    "topic": ""} for i in range(5)])
    with pytest.raises(RecordsError, match="empty"):
        streamed(empty, tmp_path / "a")
    with pytest.raises(RecordsError, match="no column 'text'"):
        analyse_stream(empty, Columns(text="text"), tmp_path / "b", config())
    twice = write_input(tmp_path, [*rows(2), rows(2)[0]])
    with pytest.raises(RecordsError, match="more than once"):
        streamed(twice, tmp_path / "c")
