"""`consulta analyse --consultation SLUG` and the demo's first analysis."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analysis_answers import add_answers
from consulta.cli import main
from consulta.web.analysis.models import AnalysisRun, Coding, Theme
from consulta.web.analysis.services import analyse_unless_done
from consulta.web.demo.loader import load_demo
from consulta.web.interchange.exporter import GENERATED_FIELDS, export_consultations
from consulta.web.responses.models import Answer, Response


def analyse(*args: str, data_dir) -> int:
    return main(["analyse", *args, "--quiet", "--data-dir", str(data_dir)])


def test_it_analyses_a_stored_consultation(consultation, tmp_path, capsys):
    add_answers(consultation)
    assert analyse("--consultation", "policing-a", "--embedder", "tfidf", "--seed", "3",
                   data_dir=tmp_path) == 0
    run = AnalysisRun.objects.get(consultation=consultation)
    assert run.status == AnalysisRun.Status.DONE
    assert run.summary["config"]["seed"] == 3
    out = capsys.readouterr().out
    counts = run.summary["counts"]
    assert f"{counts['questions']} question(s), {counts['themes']} themes, " \
           f"{counts['answers_coded']} answers coded" in out
    assert "/organise/policing-a/analysis/" in out


def test_it_reports_an_unknown_consultation(db, tmp_path, capsys):
    assert analyse("--consultation", "nope", data_dir=tmp_path) == 2
    assert "no consultation 'nope'" in capsys.readouterr().err


def test_it_reports_a_consultation_with_nothing_to_analyse(consultation, tmp_path, capsys):
    assert analyse("--consultation", "policing-a", "--embedder", "tfidf", data_dir=tmp_path) == 2
    assert "policing-a could not be analysed" in capsys.readouterr().err
    assert AnalysisRun.objects.get().status == AnalysisRun.Status.FAILED


@pytest.mark.parametrize("args, message", [
    ([], "missing: INPUT, --text-column, --out"),
    (["answers.csv", "--out", "results"], "missing: --text-column"),
    (["answers.csv", "--consultation", "policing-a"], "INPUT: for a file"),
    (["--consultation", "policing-a", "--out", "results"], "--out: for a file"),
    (["answers.csv", "--text-column", "a", "--out", "o", "--data-dir", "d"], "--data-dir is used"),
])
def test_it_asks_for_one_complete_form(args, message, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["analyse", *args])
    assert exit.value.code == 2
    assert message in capsys.readouterr().err


def test_the_demo_is_analysed_once(db):
    consultation, _ = load_demo(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    first = analyse_unless_done(consultation, embedder="tfidf")
    assert first.status == AnalysisRun.Status.DONE
    assert first.summary["counts"]["themes"] > 10
    said = Answer.objects.filter(response__phase__consultation=consultation,
                                 response__status=Response.Status.SUBMITTED,
                                 question__kind="long_text").exclude(text="")
    assert Coding.objects.filter(run=first).count() == said.count()
    themes = Theme.objects.count()
    assert analyse_unless_done(consultation, embedder="tfidf") is None
    assert AnalysisRun.objects.count() == 1 and Theme.objects.count() == themes


def test_the_export_leaves_analysis_out(consultation):
    add_answers(consultation)

    def exported() -> dict:
        document = export_consultations(["policing-a"])
        return {k: v for k, v in document.items() if k not in GENERATED_FIELDS}

    before = exported()
    analyse_unless_done(consultation, embedder="tfidf")
    assert exported() == before


@pytest.mark.parametrize("content, message", [
    (None, "--previous: There is no analysis.json in"),
    ("{not json", "analysis.json could not be read"),
    ('{"questions": [{"themes": []}]}',
     ("analysis.json: Not an analysis.json written by consulta analyse: questions[0] has no "
      "valid 'question'.")),
])
def test_a_malformed_previous_analysis_gets_a_clear_error(tmp_path, capsys, content, message):
    answers = tmp_path / "answers.csv"
    answers.write_text("answer\nMore officers on patrol.\nFaster replies to 101 calls.\n",
                       encoding="utf-8")
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    if content is not None:
        (earlier / "analysis.json").write_text(content, encoding="utf-8")
    assert main(["analyse", str(answers), "--text-column", "answer", "--embedder", "tfidf",
                 "--out", str(tmp_path / "out"), "--previous", str(earlier), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing analysed on a bad --previous


def test_it_codes_a_file_into_a_code_frame_and_refuses_a_bad_one(tmp_path, capsys):
    import csv

    answers = tmp_path / "answers.csv"
    answers.write_text("ref,answer\n" + "".join(
        f"R{i},{text}\n" for i, text in enumerate(
            ["Not enough officers on shift.", "Staff shortages in the control room.",
             "More training on first aid.", "The training budget was cut.",
             "We are short of officers at night.", "Training courses are rarely offered."])),
        encoding="utf-8")
    frame = tmp_path / "frame.csv"
    frame.write_text("theme,label,description\nstaff,Staffing,Not enough officers or staff\n"
                     "training,Training,Training courses and the training budget\n",
                     encoding="utf-8")
    codes = tmp_path / "codes.csv"
    codes.write_text("id,theme\nR0,staff\n", encoding="utf-8")
    out = tmp_path / "out"
    common = ["analyse", str(answers), "--text-column", "answer", "--id-column", "ref",
              "--embedder", "tfidf", "--quiet", "--codebook"]
    assert main([*common, str(frame), "--codes", str(codes), "--out", str(out)]) == 0
    with (out / "answers.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["id"]: row["theme"] for row in csv.DictReader(handle)}
    assert rows["R0"] == "staff"  # the person's code
    assert set(rows.values()) <= {"staff", "training", "other"}
    assert main([*common, str(frame), "--out", str(tmp_path / "alone")]) == 0  # no --codes
    bad = tmp_path / "bad.csv"
    bad.write_text("label\nStaffing\n", encoding="utf-8")
    capsys.readouterr()
    assert main([*common, str(bad), "--out", str(tmp_path / "bad-out")]) == 2
    err = capsys.readouterr().err
    assert "--codebook: Code frame bad.csv has no column theme" in err
    assert "Traceback" not in err and not (tmp_path / "bad-out").exists()


def test_it_never_quotes_an_answer_without_consent(tmp_path, capsys):
    """--consent-column: answers without consent are analysed but never quoted, nor a theme's
    label or summary (issue 11: report.html quoted a respondent who had refused consent)."""
    from analysis.analysis_data import survey_rows, write_csv

    rows = survey_rows(24)
    refused = []
    for number, row in enumerate(rows):
        row["consent"] = ["Full", "anonymous", "none"][number % 3]
        if row["consent"] == "none" and row["answer"].strip() not in ("", "n/a"):
            # A word only this answer has: finding it anywhere means the answer was used.
            row["answer"] = f"{row['answer'].rstrip('.')} near Zebulon{number} Court."
            refused.append(f"Zebulon{number}")
    path = write_csv(tmp_path / "answers.csv", rows)
    out = tmp_path / "out"
    assert main(["analyse", str(path), "--text-column", "answer", "--id-column", "ref",
                 "--consent-column", "consent", "--out", str(out), "--embedder", "tfidf",
                 "--quiet"]) == 0
    report = (out / "report.html").read_text(encoding="utf-8")
    themes = (out / "themes.csv").read_text(encoding="utf-8-sig")
    assert "<blockquote>" in report and refused
    for word in refused:
        assert word not in report
        assert word not in themes
    answers = (out / "answers.csv").read_text(encoding="utf-8-sig")
    assert sum(1 for line in answers.splitlines()[1:] if line) == len(rows)  # still coded


def test_it_names_an_unknown_consent_column(tmp_path, capsys):
    from analysis.analysis_data import survey_rows, write_csv

    path = write_csv(tmp_path / "answers.csv", survey_rows(4))
    assert main(["analyse", str(path), "--text-column", "answer", "--consent-column", "agreed",
                 "--out", str(tmp_path / "out"), "--embedder", "tfidf", "--quiet"]) == 2
    error = capsys.readouterr().err
    assert "no column 'agreed'" in error and "Traceback" not in error
