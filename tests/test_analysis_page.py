"""The back office's analysis page: themes, shares and quotes, read-only, consent honoured."""

from __future__ import annotations

from html import escape

import pytest

from analysis_answers import add_answers, submit
from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.analysis.results import run_results
from consulta.web.analysis.services import analyse_consultation
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Organisation

URL = "/organise/policing-a/analysis/"


@pytest.fixture
def analysed(consultation):
    answers = add_answers(consultation)
    run = analyse_consultation(consultation, embedder="tfidf")
    return run, answers


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


# --- access ------------------------------------------------------------------------------------


def test_it_shows_the_page_to_organisers_and_analysts(client, organiser, analyst):
    assert "<h1>Analysis</h1>" in page(client, organiser)
    assert "<h1>Analysis</h1>" in page(client, analyst)


def test_it_hides_the_page_from_outsiders(client, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 404


def test_it_sends_signed_out_visitors_to_sign_in(client, consultation):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_it_is_read_only(client, organiser):
    client.force_login(organiser)
    assert client.post(URL).status_code == 405


def test_the_overview_links_to_it(client, organiser):
    client.force_login(organiser)
    assert f'href="{URL}"' in client.get("/organise/policing-a/").content.decode()


# --- content -----------------------------------------------------------------------------------


def test_it_says_how_to_run_the_first_analysis(client, organiser):
    content = page(client, organiser)
    assert "No analysis yet" in content
    assert "consulta analyse --consultation policing-a" in content


def test_it_shows_each_questions_themes_counts_and_shares(client, organiser, analysed):
    run, _ = analysed
    content = page(client, organiser)
    assert "No analysis yet" not in content
    for question in ("How can the service build trust?", "What are the biggest challenges?"):
        assert escape(question) in content
    shown = 0
    for theme in Theme.objects.filter(run=run).exclude(key="other"):
        # a label quoted from an answer whose author withheld consent gives way to the key
        # phrases (or the id where there are none)
        shown += escape(theme.label) in content
        assert escape(theme.label) in content or escape(theme.keywords or f"Theme {theme.key}") \
            in content
        assert f'<td class="num">{theme.respondents}</td>' in content
    assert shown
    for phase in run_results(run):
        for view in phase.questions:
            for item in view.all_themes:
                assert item.low <= item.theme.share <= item.high and item.low < item.high
                assert f'<td class="num">{item.share_text}</td>' in content
    assert "by sector of the respondent" in content and "by role" in content
    assert "Voluntary and community" in content and "police officer" in content
    assert "Overall sentiment of the answers" in content
    assert "Answers by their main framing" in content  # the internal phase only
    assert content.count("Answers by their main framing") == 1


def test_it_never_quotes_a_response_without_consent(client, organiser, analysed):
    run, answers = analysed
    unquotable = {a.pk for a in answers["unquotable"]}
    stored = [q["answer"] for theme in Theme.objects.filter(run=run) for q in theme.quotes]
    assert unquotable & set(stored)  # the analysis picked some: the page must leave them out
    content = page(client, organiser)
    assert "<blockquote>" in content
    for answer in answers["unquotable"]:
        assert escape(answer.text.rstrip(".")) not in content
        assert f"Response {answer.response.reference}" not in content


def test_it_names_organisations_only_with_full_consent(client, organiser, analysed):
    _, answers = analysed
    content = page(client, organiser)
    for answer in answers["partners"]:
        reference = f"Response {answer.response.reference}"
        named = f"{reference}, {escape(answer.response.organisation.name)}"
        if answer.response.consent == Response.Consent.ANONYMOUS:
            assert named not in content
        if answer.response.consent == Response.Consent.FULL and reference in content:
            assert named in content


def test_it_notes_a_failed_analysis_after_the_last_good_one(client, organiser, analysed):
    AnalysisRun.objects.create(consultation=analysed[0].consultation,
                               status=AnalysisRun.Status.FAILED, error="ValueError: no memory")
    content = page(client, organiser)
    assert "ValueError: no memory" in content
    assert "The results below are from the analysis before it" in content


# --- a run written by hand: exact consent, identity and escaping rules --------------------------


@pytest.fixture
def crafted(consultation):
    """One theme per question quoting answers of every consent, and hostile text."""
    internal, partners = consultation.phases.all()
    trust, challenges = partners.questions.get(key="trust"), internal.questions.get(key="challenges")
    ambulance = Organisation.objects.get(consultation=consultation, sector="public")
    full, anonymous, none = Response.Consent.FULL, Response.Consent.ANONYMOUS, Response.Consent.NONE
    said = {
        "withheld": submit(partners, trust, "Secret: the chief told us off the record.", 1,
                           consent=none, organisation=ambulance),
        "named": submit(partners, trust, "<script>alert('x')</script> Patrol more at night.", 2,
                        consent=full, organisation=ambulance),
        "unnamed": submit(partners, trust, "Publish me without my name please.", 3,
                          consent=anonymous, organisation=ambulance),
        "staff": submit(internal, challenges, "Night shifts are short staffed.", 4,
                        consent=full, organisation=ambulance),
    }
    run = AnalysisRun.objects.create(consultation=consultation, status=AnalysisRun.Status.DONE,
                                     summary={"config": {"min_group_size": 10, "seed": 0}})
    partner_theme = Theme.objects.create(
        run=run, question=trust, key="t01", label="<b>Night & day</b>", size=3, share=1.0,
        description="Answers about patrols, such as “Secret: the chief told us off the record”.",
        quotes=[{"answer": said[k].pk, "text": said[k].text}
                for k in ("withheld", "named", "unnamed")],
    )
    staff_theme = Theme.objects.create(
        run=run, question=challenges, key="t01", label="Staffing", size=1, share=1.0,
        description="Answers about staffing.", quotes=[{"answer": said["staff"].pk,
                                                        "text": said["staff"].text}])
    for key, answer in said.items():
        theme = staff_theme if key == "staff" else partner_theme
        coding = Coding.objects.create(run=run, answer=answer, primary=theme,
                                       sentiment="negative", framing="challenge")
        CodedTheme.objects.create(coding=coding, theme=theme, confidence=0.9)
    return said


def test_it_shows_an_old_runs_label_but_never_its_description(client, organiser, crafted):
    """Runs before issue 9 wrote "Answers about …, such as “<an answer>”": never shown."""
    content = page(client, organiser)
    assert "chief told us" not in content and "Answers about patrols" not in content
    assert "Response T001-TEST" not in content
    assert "&lt;b&gt;Night &amp; day&lt;/b&gt;" in content
    assert "<mark>" not in content  # its quotes say nothing of where they matched


def test_it_never_shows_a_key_point_or_summary_taken_from_a_withheld_answer(client, organiser,
                                                                             crafted):
    themes = Theme.objects.filter(key="t01", question__key="trust")
    themes.update(label="The chief told us off the record", summary="Patrol more at night.")
    content = page(client, organiser)
    assert "chief told us" not in content and "Theme t01" in content
    assert "Patrol more at night." not in content.split("<blockquote")[0]
    themes.update(keywords="Night patrols; chief")  # key phrases quote no one: they name it
    content = page(client, organiser)
    assert "chief told us" not in content and "Night patrols; chief" in content
    assert f'href="#q{themes.get().question_id}-t01">Night patrols; chief</a>' in content
    themes.update(label="Patrol more at night",
                  summary="Publish me without my name please. The chief told us off.")
    content = page(client, organiser)
    assert "chief told us" not in content and "Publish me without" not in content.split(
        "<blockquote")[0]


def test_it_shows_a_key_point_and_summary_from_quotable_answers(client, organiser, crafted):
    Theme.objects.filter(key="t01", question__key="trust").update(
        label="Patrol more at night", summary="Publish me without my name please.")
    content = page(client, organiser)
    assert "Patrol more at night</" in content or ">Patrol more at night" in content
    assert "<td>Publish me without my name please.</td>" in content


def test_it_shows_identity_only_for_full_consent_in_identified_phases(client, organiser, crafted):
    content = page(client, organiser)
    assert "Response T002-TEST, Eastvale Ambulance Service" in content
    assert "Response T003-TEST</footer>" in content  # published anonymously
    assert "Response T004-TEST</footer>" in content  # an anonymous phase names nobody
    assert content.count("Eastvale Ambulance Service") == 1


def test_it_escapes_what_people_and_the_analysis_wrote(client, organiser, crafted):
    content = page(client, organiser)
    assert "<script>alert" not in content and "<b>Night" not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content
    assert "&lt;b&gt;Night &amp; day&lt;/b&gt;" in content


def test_it_hides_the_figures_of_small_groups(client, organiser, crafted):
    content = page(client, organiser)
    assert "fewer than 10" in content and "not shown" in content


# --- a run of issue 9: key points, summaries, sides, respondents, intervals, differences --------


@pytest.fixture
def sided(consultation):
    """40 partner answers, 20 per sector: "for" is said by every public answer and by no
    voluntary one, "against" by half of each; every author agreed to publication."""
    _, partners = consultation.phases.all()
    trust = partners.questions.get(key="trust")
    public = Organisation.objects.get(consultation=consultation, sector="public")
    voluntary = Organisation.objects.get(consultation=consultation, sector="voluntary")
    said = [submit(partners, trust, f"Answer number {n}: patrol at night, or not.", n,
                   consent=Response.Consent.FULL, organisation=public if n < 20 else voluntary)
            for n in range(40)]
    quoted = submit(partners, trust, "Night is dark. <i>Patrol more</i> at night please. Thanks.",
                    99, consent=Response.Consent.FULL, organisation=public)
    run = AnalysisRun.objects.create(consultation=consultation, status=AnalysisRun.Status.DONE,
                                     summary={"config": {"min_group_size": 10, "seed": 0}})
    start = quoted.text.index("<i>")
    for_theme = Theme.objects.create(
        run=run, question=trust, key="t01", label="Patrol more at night please", stance="for",
        summary="Officers should walk the streets after dark.", keywords="Night; patrols",
        size=20, respondents=20, share=0.5, campaign_share=0.25,
        quotes=[{"answer": quoted.pk, "text": quoted.text, "start": start,
                 "end": quoted.text.index(" Thanks")}])
    against = Theme.objects.create(
        run=run, question=trust, key="t02", label="Patrols do not stop crime", stance="against",
        summary="Patrols move crime elsewhere.", size=20, respondents=20, share=0.5)
    for n, answer in enumerate(said):
        themes = ([for_theme] if n < 20 else []) + ([against] if n % 2 else [])
        coding = Coding.objects.create(run=run, answer=answer, primary=themes[0] if themes
                                       else against, stance="for" if n < 20 else "against")
        for theme in themes:
            CodedTheme.objects.create(coding=coding, theme=theme, confidence=0.9)
    return trust


def _row(content: str, label: str, table: int) -> str:
    """The row of the question's table number ``table`` (0: themes, 1: groups) for a label."""
    body = content.split("<tbody>")[table + 1].split("</tbody>")[0]
    return next(row for row in body.split("<tr") if f"{label}</th>" in row)


def test_it_shows_key_points_summaries_sides_and_respondents(client, organiser, sided):
    content = page(client, organiser)
    row = _row(content, "Patrol more at night please", 0)
    assert "<td>Officers should walk the streets after dark.</td>" in row
    assert "<td>For</td>" in row and '<td class="num">20</td>' in row
    assert "<td>Against</td>" in _row(content, "Patrols do not stop crime", 0)
    assert '<th scope="col">Side</th>' in content and ">Respondents</th>" in content
    assert "From campaigns" in content and '<td class="num">25%</td>' in row


def test_it_shows_each_share_with_its_wilson_interval(client, organiser, sided):
    content = page(client, organiser)
    # 20 of 40 respondents: Wilson's 95% interval is 35% to 65%
    assert '<td class="num">50% (35–65%)</td>' in _row(content, "Patrol more at night please", 0)


def test_it_leaves_out_the_side_when_no_theme_takes_one(client, organiser, sided):
    Theme.objects.update(stance="neither")
    content = page(client, organiser)
    assert '<th scope="col">Side</th>' not in content and "<td>Neither</td>" not in content


def test_it_highlights_the_sentence_that_matched_and_escapes_the_rest(client, organiser, sided):
    content = page(client, organiser)
    assert ("<p>Night is dark. <mark>&lt;i&gt;Patrol more&lt;/i&gt; at night please.</mark>"
            " Thanks.</p>") in content
    assert content.count("<mark>") == 1


def test_it_lists_each_phases_questions_and_themes_first(client, organiser, sided):
    content = page(client, organiser)
    contents = content.split('<nav aria-label="Phase 2: questions and themes"')[1].split("</nav>")[0]
    assert f'<a href="#q{sided.pk}-title">{escape(sided.title)}</a>' in contents
    assert f'<a href="#q{sided.pk}-t01">Patrol more at night please</a>' in contents
    assert f'id="q{sided.pk}-title"' in content and f'id="q{sided.pk}-t01"' in content


def test_it_marks_a_group_that_differs_beyond_chance_and_no_other(client, organiser, sided):
    content = page(client, organiser)
    differs = _row(content, "Patrol more at night please", 1)
    assert "100% (84–100%) <span aria-hidden=\"true\">▲</span><span class=\"visually-hidden\">" \
           ", higher than everyone else</span>" in differs  # public: all 20 answers
    assert "0% (0–16%) <span aria-hidden=\"true\">▼</span><span class=\"visually-hidden\">" \
           ", lower than everyone else</span>" in differs  # voluntary: none of 20
    alike = _row(content, "Patrols do not stop crime", 1)
    assert "than everyone else" not in alike and "▲" not in alike and "▼" not in alike
    assert "higher than everyone else, <span" in content.split(differs)[1]  # the legend


def test_it_marks_nothing_when_no_group_differs(client, organiser, sided):
    CodedTheme.objects.filter(theme__key="t01").delete()  # "for" now said by nobody
    content = page(client, organiser)
    assert "than everyone else" not in content and "▲" not in content


def test_it_hides_small_groups_even_when_they_would_differ(client, organiser, sided):
    Coding.objects.filter(answer__response__organisation__sector="voluntary",
                          answer__response__reference__gte="T030").delete()
    content = page(client, organiser)  # 10 voluntary answers left: shown; then 9: hidden
    assert "Voluntary and community <span class=\"hint\">(10)</span>" in content
    Coding.objects.filter(answer__response__reference="T029-TEST").delete()
    content = page(client, organiser)
    assert "Voluntary and community <span class=\"hint\">(fewer than 10)</span>" in content
    differs = _row(content, "Patrol more at night please", 1)
    assert "0% (0–" not in differs and "not shown" in differs


def test_it_reads_the_page_in_a_few_queries_however_many_answers(client, organiser, sided):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured.captured_queries)

    client.force_login(organiser)
    before = queries()
    run, partners = AnalysisRun.objects.get(), sided.phase
    more = Theme.objects.create(run=run, question=sided, key="t03", label="More", size=5,
                                respondents=5, share=0.1, quotes=[])
    for n in range(100, 120):
        answer = submit(partners, sided, f"Another answer {n}.", n, consent=Response.Consent.FULL)
        coding = Coding.objects.create(run=run, answer=answer, primary=more)
        CodedTheme.objects.create(coding=coding, theme=more)
    assert queries() == before <= 20
