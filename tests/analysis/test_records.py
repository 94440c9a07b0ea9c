"""Reading answers: formats, empty answers, ids, and clear errors on bad input."""

from __future__ import annotations

import pytest
from analysis_data import survey_rows, write_csv, write_jsonl

from consulta.analysis.records import (
    Answer,
    Columns,
    RecordsError,
    answers_from_objects,
    is_empty_answer,
    read_answers,
)

COLUMNS = Columns(text="answer", id="ref", groups=("sector",))


def test_it_reads_a_csv_with_ids_groups_and_empty_answers_marked(tmp_path):
    answers = read_answers(write_csv(tmp_path / "a.csv", survey_rows(5)), COLUMNS)
    assert len(answers) == 20
    assert answers[0].id == "R001" and answers[0].groups == {"sector": "Health"}
    assert answers[0].question == "answer"  # no question column: the text column names it
    assert [a.empty for a in answers].count(True) == 2
    assert answers[3].text == "n/a" and answers[3].empty


@pytest.mark.parametrize("text", ["", "   ", "n/a", "N/A", "na", "None", "-", "nil", "n/a.",
                                  "Did not answer", "did  not answer.", "No response"])
def test_it_marks_non_answers_empty(text):
    assert is_empty_answer(text)


@pytest.mark.parametrize("text", ["No", "nothing to add, all good", "-1 for this"])
def test_it_keeps_short_real_answers(text):
    assert not is_empty_answer(text)


def test_it_numbers_rows_from_one_without_an_id_column(tmp_path):
    answers = read_answers(write_csv(tmp_path / "a.csv", survey_rows(2)), Columns(text="answer"))
    assert [a.id for a in answers] == [str(n) for n in range(1, 9)]


def test_it_reads_jsonl_and_xlsx_the_same_as_csv(tmp_path):
    import openpyxl

    rows = survey_rows(3)
    book = openpyxl.Workbook()
    book.active.append(list(rows[0]))
    for row in rows:
        book.active.append(list(row.values()))
    book.save(tmp_path / "a.xlsx")
    from_csv = read_answers(write_csv(tmp_path / "a.csv", rows), COLUMNS)
    from_jsonl = read_answers(write_jsonl(tmp_path / "a.jsonl", rows), COLUMNS)
    from_xlsx = read_answers(tmp_path / "a.xlsx", COLUMNS)
    assert from_csv == from_jsonl == from_xlsx


def test_it_reads_parquet_when_pyarrow_is_installed(tmp_path):
    pyarrow = pytest.importorskip("pyarrow")
    from pyarrow import parquet

    rows = survey_rows(3)
    parquet.write_table(pyarrow.Table.from_pylist(rows), tmp_path / "a.parquet")
    assert read_answers(tmp_path / "a.parquet", COLUMNS) == read_answers(
        write_csv(tmp_path / "a.csv", rows), COLUMNS)


def test_it_takes_the_question_from_a_column(tmp_path):
    rows = [{"q": "Q1" if i % 2 else "Q2", "who": "x", "text": f"answer number {i}"}
            for i in range(6)]
    answers = read_answers(write_csv(tmp_path / "a.csv", rows), Columns(text="text", question="q"))
    assert {a.question for a in answers} == {"Q1", "Q2"}


def test_it_accepts_python_objects():
    answers = answers_from_objects(["first answer", {"id": "b", "text": "second", "groups":
                                                     {"sector": "Health"}}, Answer("c", "q", "x")])
    assert [a.id for a in answers] == ["1", "b", "c"]
    assert answers[1].groups == {"sector": "Health"}


def test_it_refuses_an_empty_file(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"")
    with pytest.raises(RecordsError, match="empty"):
        read_answers(path, COLUMNS)


def test_it_lists_the_columns_found_when_one_is_missing(tmp_path):
    path = write_csv(tmp_path / "a.csv", survey_rows(2))
    with pytest.raises(RecordsError) as error:
        read_answers(path, Columns(text="comments"))
    assert "'comments'" in str(error.value)
    assert "'ref', 'sector', 'phase', 'answer'" in str(error.value)


def test_it_refuses_a_single_answer(tmp_path):
    path = write_csv(tmp_path / "a.csv", survey_rows(1)[:1])
    with pytest.raises(RecordsError, match="single answer"):
        read_answers(path, COLUMNS)


def test_it_refuses_all_empty_answers(tmp_path):
    rows = [{"ref": str(i), "sector": "x", "answer": ["n/a", "", "none"][i % 3]} for i in range(9)]
    with pytest.raises(RecordsError, match="All 9 answers"):
        read_answers(write_csv(tmp_path / "a.csv", rows), COLUMNS)


def test_it_refuses_duplicate_ids_in_a_question(tmp_path):
    rows = [{"ref": "same", "sector": "x", "answer": f"answer {i}"} for i in range(3)]
    with pytest.raises(RecordsError, match="more than once"):
        read_answers(write_csv(tmp_path / "a.csv", rows), COLUMNS)


def test_it_reads_a_100000_character_answer(tmp_path):
    rows = survey_rows(2)
    rows[0]["answer"] = ("The radio keeps failing. " * 4000)[:100_000]
    answers = read_answers(write_csv(tmp_path / "a.csv", rows), COLUMNS)
    assert len(answers[0].text) == 100_000


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-8-sig"])
def test_it_reads_windows_and_utf16_files(tmp_path, encoding):
    rows = survey_rows(2)
    rows[0]["answer"] = "Café staff were “great” – £5 well spent"
    answers = read_answers(write_csv(tmp_path / "a.csv", rows, encoding=encoding), COLUMNS)
    assert answers[0].text == "Café staff were “great” – £5 well spent"


def test_it_explains_a_missing_parquet_library(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def without_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    path = tmp_path / "a.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setattr(builtins, "__import__", without_pyarrow)
    with pytest.raises(RecordsError, match="pyarrow"):
        read_answers(path, COLUMNS)
