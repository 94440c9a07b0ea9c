"""Segmentation of long answers into points, with offsets back into the answer."""

from __future__ import annotations

from consulta.analysis.segment import Segmenter, segment_answers

LONG = (
    "Staffing is the main problem for us.\n\n"
    "- There are not enough officers on the night shift in the north of the county\n"
    "- Training budgets have been cut again and new recruits learn on the job\n"
    "1. The radio system drops out in rural areas so officers lose contact\n\n"
    + "Partnership work with the council is going well and residents notice it. " * 6
)


def test_it_keeps_short_answers_whole():
    assert Segmenter().spans("  The radios keep failing.  ") == [(2, 26)]


def test_it_gives_empty_text_no_points():
    assert segment_answers(["", "   "]) == []


def test_it_splits_paragraphs_bullets_and_long_paragraphs_into_sentences():
    points = segment_answers([LONG])
    texts = [p.text for p in points]
    assert texts[0] == "Staffing is the main problem for us."
    assert texts[1].startswith("- There are not enough officers")
    assert texts[2].startswith("- Training budgets")
    assert texts[3].startswith("1. The radio system")
    assert len(points) == 4 + 6  # six sentences in the long last paragraph


def test_its_offsets_point_into_the_answer():
    for point in segment_answers(["short one", LONG]):
        source = ["short one", LONG][point.answer]
        assert source[point.start:point.end] == point.text


def test_it_merges_tiny_fragments_into_a_neighbour():
    text = "Intro.\n\n" + "The radio system drops out in rural areas and nobody fixes it. " * 12
    spans = Segmenter().spans(text)
    assert all(len(text[a:b].split()) >= 5 for a, b in spans)
    assert text[spans[0][0]:spans[0][1]].startswith("Intro.")


def test_it_cuts_a_100000_character_answer_into_bounded_points():
    text = ("word " * 20_000)[:100_000]  # no punctuation at all
    points = segment_answers([text])
    assert len(points) > 100
    assert max(p.words for p in points) <= 120
    assert sum(p.words for p in points) == len(text.split())
