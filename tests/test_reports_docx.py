"""The findings report as DOCX: Word's structure (headings, header rows, quotes), same content.

Each document is opened again with python-docx, as Word would read it.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from consulta.web.reports.content import (
    Appendix,
    Chart,
    CodeFrameRow,
    GroupDifference,
    GroupTableContent,
    Method,
    Profile,
    ProfileTable,
    QuestionPart,
    Quote,
    Report,
    Section,
    ThemeRow,
)
from consulta.web.reports.docx import CHART_NOTE, render

docx = pytest.importorskip("docx")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
QUOTE = Quote("Shared training with the council worked well.", "Local authority, anonymous")


def a_report() -> Report:
    themes = [
        ThemeRow("training", "Joint training", "People value training together.", 12, 0.4, 0.25,
                 0.57, campaign_share=0.1, stance="for", quotes=[QUOTE]),
        ThemeRow("training-cost", "Cost of training", "Training costs money.", 4, 0.13, 0.05, 0.3,
                 sub_theme=True),
    ]
    chart = Chart("Themes in answers", "<svg></svg>", ["Theme", "Respondents", "Share"],
                  [["Joint training", "12", "40%"], ["Cost of training", "4", "13%"]],
                  "Joint training was raised by 40% of respondents, its cost by 13%.")
    closed = Chart("Answers: how long have you worked here?", "<svg></svg>",
                   ["Answer", "Responses", "Share"],
                   [["Under 5 years", "10", "50%"], ["5 years or more", "10", "50%"]],
                   "Half had worked here under five years.")
    groups = GroupTableContent("sector", ["Public", "Private"], [20, 4], [False, True],
                               [("Joint training", ["45%", None])])
    open_question = QuestionPart(
        "p2-q1", "Phase 2: Partners", "What works well?", "long_text", "Open question", 30, True,
        themes=themes, chart=chart, groups=groups, suppressed_groups=["Private"], campaigns=3,
        differences=[GroupDifference("Joint training", "Local authority", 12, 0.6, 0.35, 0.8,
                                     "higher")],
        commentary="Partners praised joint work.")
    closed_question = QuestionPart("p1-q2", "Phase 1: Staff", "How long have you worked here?",
                                   "choice", "Closed question", 20, False, chart=closed)
    return Report(
        title="Future of Northshire policing", slug="northshire", run_by="Independent Review Body",
        run_for="Northshire Police", generated=date(2026, 12, 2), public=True, total_responses=50,
        summary=Section("summary", "Executive summary", ["Partners valued joint training."]),
        highlights=[("What works well?", ["Joint training: 40% (25–57%)."])],
        profile=Profile(50, 3, [ProfileTable("Responses by phase", ["Phase", "Responses"],
                                             [["Partners", "30"], ["Staff", "20"]])],
                        ["The respondents are not a representative sample."]),
        method=Method(["Themes were found by machine and not reviewed by a person."], False,
                      ProfileTable("Agreement", ["Question", "Alpha"], [["What works well?", "0.8"]])),
        questions=[open_question, closed_question],
        next_steps=Section("next-steps", "Next steps", ["We will respond in March."]),
        appendix=Appendix([CodeFrameRow("What works well?", "training", "Joint training",
                                        "Training together", 12, 14)], ["Camden Council"]),
    )


def reopen(data: bytes):
    return docx.Document(io.BytesIO(data))


def headings(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs
            if p.style.name.startswith("Heading")]


def all_text(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_it_lays_the_report_out_with_word_headings_for_the_navigation_pane():
    document = reopen(render(a_report()))
    level_1 = [text for style, text in headings(document) if style == "Heading 1"]
    assert level_1 == [title for _, title in a_report().contents]
    assert ("Heading 2", "Joint training") in headings(document)  # its summary and quotes
    assert ("Heading 2", "What works well?") in headings(document)  # the summary's highlights
    assert document.paragraphs[0].style.name == "Title"


def test_it_lists_the_contents_in_a_field_word_can_update():
    data = render(a_report())
    body = reopen(data).element.body
    instructions = [t.text for t in body.iter(f"{W}instrText")]
    assert any(text.strip().startswith("TOC") for text in instructions)
    fields = [c.get(f"{W}fldCharType") for c in body.iter(f"{W}fldChar")]
    assert fields == ["begin", "separate", "end"]
    text = [p.text for p in reopen(data).paragraphs]
    start = text.index("Contents")
    assert text[start + 1:start + 8] == [title for _, title in a_report().contents]


def test_it_marks_every_tables_first_row_as_its_header_row():
    document = reopen(render(a_report()))
    assert len(document.tables) == 7  # profile, agreement, themes, 2 charts, groups, code frame
    for table in document.tables:
        rows = table._tbl.tr_lst
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert all(row.find(f"{W}trPr/{W}tblHeader") is None for row in rows[1:])
        assert table._tbl.tblPr.find(f"{W}tblCaption") is not None  # alt text


def test_it_states_every_question_and_the_number_of_responses():
    text = all_text(reopen(render(a_report())))
    for question in a_report().questions:
        assert question.title in text
        assert f"{question.responses} responses" in text
    assert "50 responses" in text


def test_it_shows_each_chart_as_its_table_and_its_text_alternative():
    document = reopen(render(a_report()))
    text = all_text(document)
    closed = a_report().questions[1].chart
    assert closed.text in text and CHART_NOTE in text
    chart_tables = [t for t in document.tables if t.rows[0].cells[0].text == "Answer"]
    assert [[c.text for c in row.cells] for row in chart_tables[0].rows] == [closed.headers,
                                                                              *closed.rows]
    assert "<svg" not in text


def test_it_sets_quotes_in_the_quote_style_with_their_attribution():
    document = reopen(render(a_report()))
    quoted = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quoted == [f"“{QUOTE.text}”", f"— {QUOTE.attribution}"]
    assert document.styles["Quote"].paragraph_format.left_indent > 0


def test_it_marks_suppressed_groups_and_keeps_the_appendix():
    text = all_text(reopen(render(a_report())))
    assert "fewer than 10" in text and "Not shown (fewer than 10 answers): Private." in text
    assert "Training together" in text and "Camden Council" in text


def test_it_names_its_title_and_language_for_assistive_technology():
    document = reopen(render(a_report()))
    assert document.core_properties.title == "Future of Northshire policing"
    assert document.core_properties.language == "en-GB"
    defaults = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert defaults.get(f"{W}val") == "en-GB"


def test_it_writes_no_email_address_the_content_does_not_hold():
    text = all_text(reopen(render(a_report())))
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text)


@pytest.fixture
def analysed(consultation):
    """The report tests' consultation (tests/report_data.py): machine quotes offered from every
    answer, consenting or not; closed answers; a respondent who gave a name and an email."""
    from report_data import report_run

    report_run(consultation)
    return consultation


@pytest.mark.parametrize("public", [False, True])
def test_it_quotes_only_consenting_answers_and_no_email_address(analysed, public):
    from consulta.web.analysis.models import Theme
    from consulta.web.reports.content import build_report
    from consulta.web.responses.models import Answer, Response
    from report_data import EMAIL

    report = build_report(analysed, public=public)
    document = reopen(render(report))
    text = all_text(document)
    quoted = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quoted, "the test would prove nothing without quotes"
    refused = Answer.objects.filter(response__phase__consultation=analysed).exclude(
        response__consent__in=[Response.Consent.FULL, Response.Consent.ANONYMOUS]).exclude(text="")
    offered = {q["answer"] for t in Theme.objects.filter(run__consultation=analysed)
               for q in t.quotes}
    assert refused.filter(pk__in=offered).exists()  # the machine offered them; none is shown
    assert not [a.text for a in refused if a.text in text]
    assert EMAIL not in text and "Dana Okafor" not in text
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text)
    for question in report.questions:  # open and closed
        assert ("Heading 1", question.title) in headings(document)
    assert any(not question.open and question.responses for question in report.questions)


def contrast_on_white(rgb) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
    return 1.05 / (luminance + 0.05)


def test_it_keeps_every_style_it_uses_readable():
    """WCAG AA 4.5:1: python-docx's template colours headings and captions #4F81BD (3.9:1)."""
    document = reopen(render(a_report()))
    used = {p.style.name for p in document.paragraphs}
    for style in (document.styles[name] for name in used):
        coloured = style
        while coloured is not None and coloured.font.color.rgb is None:
            coloured = coloured.base_style
        if coloured is not None:
            assert contrast_on_white(coloured.font.color.rgb) >= 4.5, style.name
    assert contrast_on_white((0x4F, 0x81, 0xBD)) < 4.5  # the check can fail


def test_the_command_writes_the_demo_report_as_docx(db, tmp_path, capsys):
    from datetime import UTC, datetime

    from consulta.cli import main
    from consulta.web.demo.loader import load_demo
    from consulta.web.responses.models import Response

    consultation, _ = load_demo(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))  # not analysed: fast
    out = tmp_path / "report.docx"
    assert main(["report", "--consultation", consultation.slug, "--format", "docx",
                 "--output", str(out), "--data-dir", str(tmp_path)]) == 0
    document = reopen(out.read_bytes())
    text = all_text(document)
    level_1 = [title for style, title in headings(document) if style == "Heading 1"]
    for title in consultation.phases.values_list("questions__title", flat=True):
        assert " ".join(title.split()) in level_1
    submitted = Response.objects.filter(status=Response.Status.SUBMITTED).count()
    assert f"{submitted} responses" in text
    emails = consultation.people.exclude(email="").values_list("email", flat=True)
    assert emails and not any(email in text for email in emails)
    assert "DOCX" in capsys.readouterr().out
