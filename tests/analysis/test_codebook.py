"""A code frame: read and written as CSV/XLSX, and answers coded into it, learning from people."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_data import TOPICS, topic_answers

from consulta.analysis import (
    OTHER,
    AnalysisConfig,
    Answer,
    Code,
    CodeFrame,
    RecordsError,
    analyse,
    read_code_frame,
    write_code_frame,
)
from consulta.analysis.coding import CodedAssignment

FRAME_CSV = (
    "question,theme,label,description,parent\n"
    ",staff,Staffing,\"Not enough officers, staff shortages, vacancies and recruitment\",\n"
    ",train,Training,\"Training courses, refresher training and the training budget\",\n"
    "Q1,tech,Technology,\"The radio system, laptops, software, cameras and data\",\n"
    "Q1,radio,Radios,The radio system keeps dropping out,tech\n"
)


def frame_file(tmp_path, text=FRAME_CSV, name="frame.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_reads_a_code_frame_with_questions_and_parents(tmp_path):
    frame = read_code_frame(frame_file(tmp_path))
    assert [c.theme for c in frame] == ["staff", "train", "tech", "radio"]
    assert frame.codes[0] == Code(theme="staff", label="Staffing", question=None,
                                  description="Not enough officers, staff shortages, vacancies "
                                              "and recruitment")
    assert frame.codes[3].parent == "tech" and frame.codes[3].question == "Q1"
    assert [c.theme for c in frame.for_question("Q2")] == ["staff", "train"]
    assert [c.theme for c in frame.for_question("Q1")] == ["tech", "radio", "staff", "train"]


def test_it_needs_only_a_theme_column(tmp_path):
    frame = read_code_frame(frame_file(tmp_path, "theme\nStaffing\nTraining\n"))
    assert [(c.theme, c.name, c.wording) for c in frame] == [
        ("Staffing", "Staffing", "Staffing"), ("Training", "Training", "Training")]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_it_writes_a_frame_that_reads_back_unchanged(tmp_path, suffix):
    frame = read_code_frame(frame_file(tmp_path))
    written = write_code_frame(frame, tmp_path / f"copy.{suffix}")
    assert read_code_frame(written).codes == frame.codes


@pytest.mark.parametrize("text, message", [
    ("label,description\nStaffing,Officers\n", "has no column theme"),
    ("theme,label\n", "has no codes"),
    ("question,theme\nQ1,staff\nQ1,staff\n", "theme 'staff' twice for question 'Q1'"),
    ("theme,label\n,Staffing\n", "row 1 has no theme id"),
    ("theme,parent\nradio,tech\n", "parent 'tech', which is not a theme"),
    ("", "The file is empty"),
])
def test_a_bad_frame_gets_a_clear_error(tmp_path, text, message):
    with pytest.raises(RecordsError, match=message):
        read_code_frame(frame_file(tmp_path, text))


def test_a_frame_in_python_is_checked_too():
    with pytest.raises(RecordsError, match="twice"):
        CodeFrame([Code("a"), Code("a")])


# --- learning --------------------------------------------------------------------------------


def answers_and_topics(per_topic=12):
    pairs = topic_answers(per_topic, ["staffing", "training", "technology"])
    answers = [Answer(id=f"A{i}", question="Q1", text=text) for i, (_, text) in enumerate(pairs)]
    return answers, [topic for topic, _ in pairs]


def frame_for_topics():
    return CodeFrame([Code(theme=name, label=name.title(), description=", ".join(
        TOPICS[name]["subjects"])) for name in ("staffing", "training", "technology")])


def test_codes_with_no_examples_still_get_answers_from_their_wording():
    answers, topics = answers_and_topics()
    # People coded only staffing and training answers; technology has no example at all.
    codes = {(None, a.id): t for a, t in zip(answers, topics) if t != "technology"}
    codes = dict(list(codes.items())[:6])
    result = analyse(answers, AnalysisConfig(embedder="tfidf"), codes=codes,
                     codebook=frame_for_topics())
    got = {row.id: row.theme for row in result.answers}
    tech = [a.id for a, t in zip(answers, topics) if t == "technology"]
    assert sum(got[i] == "technology" for i in tech) >= len(tech) // 2
    themes = {t.theme: t for t in result.questions[0].themes}
    assert themes["technology"].label == "Technology" and themes["technology"].size > 0
    assert result.questions[0].coding["codebook"] == 3


def test_a_frame_alone_codes_every_answer_into_its_codes():
    answers, topics = answers_and_topics()
    result = analyse(answers, AnalysisConfig(embedder="tfidf"), codebook=frame_for_topics())
    got = [row.theme for row in result.answers]
    assert set(got) <= {"staffing", "training", "technology", OTHER}
    assert np.mean([g == t for g, t in zip(got, topics)]) >= 0.8


def test_human_codes_are_never_changed():
    answers, _ = answers_and_topics()
    # Deliberately "wrong" human codes: a person's decision stands all the same.
    codes = {(None, answers[0].id): "technology", (None, answers[1].id): OTHER,
             ("Q1", answers[2].id): "Staffing"}  # a code's name works as well as its id
    result = analyse(answers, AnalysisConfig(embedder="tfidf"), codes=codes,
                     codebook=frame_for_topics())
    rows = result.answers
    assert rows[0].theme == "technology" and rows[0].confidence == 1.0
    assert rows[1].theme == OTHER
    assert rows[2].theme == "staffing"
    assert "a person's code" in result.questions[0].other_reasons[answers[1].id]


def test_an_answer_that_fits_no_code_goes_to_other_not_a_new_theme():
    # Three codes along three axes; the last answer lies along a fourth: it fits none.
    eye = np.eye(4)
    examples = np.array([eye[0], eye[0] * 0.9 + eye[1] * 0.1, eye[1], eye[2]])
    examples /= np.linalg.norm(examples, axis=1, keepdims=True)
    model = CodedAssignment().fit(examples, ["a", "a", "b", "c"], eye[:3], ["a", "b", "c"])
    codings = model.code(np.array([eye[0], eye[1], eye[2], eye[3]]))
    assert [c.primary for c in codings] == ["a", "b", "c", OTHER]
    assert codings[3].themes == [OTHER] and not model.fits_[3]
    assert model.themes_ == ["a", "b", "c"]


def test_answers_like_those_people_coded_other_go_to_other():
    eye = np.eye(3)
    model = CodedAssignment(min_fit=0.0).fit(
        np.array([eye[0], eye[0], eye[1], eye[1], eye[2], eye[2]]),
        ["a", "a", "b", "b", OTHER, OTHER], eye[:2], ["a", "b"])
    assert [c.primary for c in model.code(eye)] == ["a", "b", OTHER]
