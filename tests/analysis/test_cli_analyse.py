"""``consulta analyse`` end to end: the files of the contract, options and errors."""

from __future__ import annotations

import csv
import json
import re

import pytest
from analysis_data import survey_rows, write_csv

from consulta.cli import main


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def run(*args) -> int:
    return main(["analyse", *map(str, args), "--quiet"])


@pytest.fixture
def input_csv(tmp_path):
    rows = survey_rows(24)
    rows[0]["answer"] = "<script>alert('x')</script> The radio system keeps dropping out."
    return write_csv(tmp_path / "answers.csv", rows)


def test_it_writes_every_file_of_the_contract(tmp_path, input_csv, capsys):
    out = tmp_path / "out"
    assert run(input_csv, "--text-column", "answer", "--id-column", "ref", "--group-column",
               "sector", "--group-column", "phase", "--out", out, "--embedder", "tfidf") == 0
    answers = read_csv(out / "answers.csv")
    assert list(answers[0]) == ["id", "question", "theme", "themes", "confidence", "sentiment",
                                "framing", "campaign", "stance"]
    assert len(answers) == 96 and answers[0]["id"] == "R001"
    themes = read_csv(out / "themes.csv")
    assert list(themes[0])[:10] == ["question", "theme", "parent", "label", "description",
                                    "size", "share", "quote_ids", "summary", "keywords"]
    assert {a["theme"] for a in answers} - {""} <= {t["theme"] for t in themes}
    assert list(read_csv(out / "groups.csv")[0])[:4] == ["question", "column", "group", "theme"]
    assert (out / "campaigns.csv").read_text(encoding="utf-8-sig").startswith(
        "question,campaign,size,template_text,member_ids")
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert {"config", "versions", "timings", "questions", "answers", "groups", "campaigns"} <= set(data)
    assert "read" in data["timings"]


def test_the_report_is_self_contained_and_escaped(tmp_path, input_csv):
    out = tmp_path / "out"
    run(input_csv, "--text-column", "answer", "--out", out, "--embedder", "tfidf")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html  # the input's script tag, wherever it is shown, is text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert html.count("<h1>") == 1 and "<caption>" in html and 'scope="col"' in html


def test_ids_default_to_row_numbers(tmp_path, input_csv):
    out = tmp_path / "out"
    run(input_csv, "--text-column", "answer", "--out", out, "--embedder", "tfidf")
    assert [a["id"] for a in read_csv(out / "answers.csv")][:3] == ["1", "2", "3"]
    assert not (out / "groups.csv").exists()


def test_it_is_deterministic_for_a_seed(tmp_path, input_csv):
    for name in ("a", "b"):
        run(input_csv, "--text-column", "answer", "--out", tmp_path / name, "--seed", 3,
            "--embedder", "tfidf")
    assert (tmp_path / "a" / "answers.csv").read_text() == (tmp_path / "b" / "answers.csv").read_text()
    assert (tmp_path / "a" / "themes.csv").read_text() == (tmp_path / "b" / "themes.csv").read_text()


def test_broad_themes_by_default_and_flat_ones_on_request(tmp_path, input_csv):
    common = [input_csv, "--text-column", "answer", "--embedder", "tfidf"]
    run(*common, "--out", tmp_path / "grouped")
    run(*common, "--out", tmp_path / "flat", "--no-sub-themes")
    grouped = read_csv(tmp_path / "grouped" / "themes.csv")
    flat = read_csv(tmp_path / "flat" / "themes.csv")
    parents = {t["parent"] for t in grouped} - {""}
    assert parents and parents <= {t["theme"] for t in grouped if not t["parent"]}
    assert all(t["parent"] == "" for t in flat)
    top = [t for t in grouped if not t["parent"] and t["theme"] != "other"]
    assert len(top) < len([t for t in flat if t["theme"] != "other"])


def test_previous_keeps_theme_ids(tmp_path):
    rows = survey_rows(24)
    write_csv(tmp_path / "first.csv", rows[:86])
    write_csv(tmp_path / "all.csv", rows)
    common = ["--text-column", "answer", "--id-column", "ref", "--embedder", "tfidf"]
    run(tmp_path / "first.csv", *common, "--out", tmp_path / "one")
    assert run(tmp_path / "all.csv", *common, "--out", tmp_path / "two",
               "--previous", tmp_path / "one") == 0
    before = {a["id"]: a["theme"] for a in read_csv(tmp_path / "one" / "answers.csv")}
    after = {a["id"]: a["theme"] for a in read_csv(tmp_path / "two" / "answers.csv")}
    same = sum(after[i] == theme for i, theme in before.items())
    assert same / len(before) >= 0.95


def test_codes_report_kappa(tmp_path, input_csv):
    from analysis_data import topic_answers

    topics = [topic for topic, _ in topic_answers(24)]
    codes = write_csv(tmp_path / "codes.csv",
                      [{"id": f"R{i + 1:03d}", "theme": topics[i]} for i in range(20, 44)])
    out = tmp_path / "out"
    assert run(input_csv, "--text-column", "answer", "--id-column", "ref", "--codes", codes,
               "--out", out, "--embedder", "tfidf") == 0
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert data["questions"][0]["coding"]["kappa"] is not None
    assert {t["theme"] for t in read_csv(out / "themes.csv")} <= set(topics) | {"other"}


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"ref,answer\nR1,only one answer\n", "single answer"),
    (b"ref,answer\nR1,n/a\nR2,\nR3,none\n", "are empty"),
    (b"ref,comment\nR1,a\nR2,b\n", "Columns found: 'ref', 'comment'"),
])
def test_bad_input_gets_a_clear_error(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    assert run(path, "--text-column", "answer", "--out", tmp_path / "out") == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_mixed_encodings_are_read(tmp_path):
    rows = survey_rows(10)
    rows[0]["answer"] = "Café staff said the £5 radios fail – often"
    path = write_csv(tmp_path / "win.csv", rows, encoding="cp1252")
    out = tmp_path / "out"
    assert run(path, "--text-column", "answer", "--out", out, "--embedder", "tfidf") == 0
    data = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert len(data["answers"]) == 40


def test_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["analyse", "--help"])
    assert "example:\n  consulta analyse" in capsys.readouterr().out
