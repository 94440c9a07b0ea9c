"""axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation on any page a respondent can reach,
nor on the organiser's monitoring and invitation pages.

Every public page type is listed in PUBLIC_PAGES below, checked at desktop width and on a
phone. Each case reaches its page the way a respondent does (the start pages through their
links, error states by sending the form wrong in the browser) and first checks that it is the
page meant: an axe pass on a 404 page would prove nothing.

The consultation is small and fixed: an anonymous internal phase (1), an identified partner
phase (2), a public phase with one question of each kind (3) and a closed phase (4).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from browsing import (
    axe_violations,
    invite,
    make_phase,
    sign_in,
)
from django.urls import reverse

from conftest import make_user
from consulta.web.consultations.models import (
    Consultation,
    Membership,
    Phase,
    Question,
    RespondentRole,
)
from consulta.web.outreach.email import unsubscribe_url
from consulta.web.respond.answers import save_answer
from consulta.web.respond.drafts import start_draft
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Organisation, Person

SLUG = "northshire-survey"
LONG, SHORT, SINGLE, MULTIPLE, SCALE = 1, 2, 3, 4, 5  # question numbers in the public phase
# Typed into answers shown back on the check page: any Unicode, and markup shown as text.
AWKWARD = "Café £5 — ‘quotes’ <script>alert(1)</script>\n\nA second paragraph."


@dataclass
class Site:
    """The consultation under test, as the live server serves it."""

    url: str
    settings: object
    consultation: Consultation
    internal: Phase
    partners: Phase
    public: Phase
    closed: Phase
    person: Person
    invitation_token: str

    def go(self, page, path: str) -> None:
        response = page.goto(self.url + path)
        assert response is not None and response.status < 500, path

    def draft(self, phase: Phase, *,
              organisation: Organisation | None = None) -> tuple[Response, str]:
        return start_draft(phase, organisation=organisation)

    def answered_public_draft(self, *, required: bool = True) -> tuple[Response, str]:
        """A public draft with every question answered (but the required one, if not
        ``required``), about you and consent done: ready to check and send."""
        response, token = self.draft(self.public, organisation=self.person.organisation)
        questions = list(self.public.questions.all())
        values = {
            LONG: (AWKWARD, []), SHORT: ("Eastvale", []), SINGLE: ("", ["Prevention"]),
            MULTIPLE: ("", ["Phone", "In person"]), SCALE: ("", ["Agree"]),
        }
        for number, question in enumerate(questions, 1):
            if number == LONG and not required:
                continue
            text, choices = values[number]
            save_answer(response, question, text=text, choices=choices, revision=0)
        response.on_behalf = True
        response.consent = Response.Consent.ANONYMOUS
        response.save(update_fields=["on_behalf", "consent"])
        return response, token


def r(token: str, rest: str = "") -> str:
    return f"/r/{token}/{rest}"


def send(page, button: str | re.Pattern) -> None:
    """Select a button by its text and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


# How to reach each page. Each takes the browser page and the site, and leaves the page there.

def start_staff_link(page, site: Site) -> None:
    site.go(page, f"/c/{SLUG}/1/?key={site.internal.access_key}")


def start_invitation(page, site: Site) -> None:
    site.go(page, f"/i/{site.invitation_token}/")


def start_partner_without_invitation(page, site: Site) -> None:
    site.go(page, f"/c/{SLUG}/2/")


def start_public(page, site: Site) -> None:
    site.go(page, f"/c/{SLUG}/3/")


def question(number: int) -> Callable:
    def reach(page, site: Site) -> None:
        _, token = site.draft(site.public)
        site.go(page, r(token, f"q/{number}/"))
    return reach


def about_internal(page, site: Site) -> None:
    _, token = site.draft(site.internal)
    site.go(page, r(token, "about/"))


def about_partner(page, site: Site) -> None:
    # Through the invitation, as a partner starts: the name and organisation are filled in.
    site.go(page, f"/i/{site.invitation_token}/")
    send(page, re.compile("Start now|Continue"))  # Continue: the draft begun at the other width
    site.go(page, page.url.removeprefix(site.url).split("/q/")[0] + "/about/")


def about_public(page, site: Site) -> None:
    _, token = site.draft(site.public)
    site.go(page, r(token, "about/"))


def consent(page, site: Site) -> None:
    _, token = site.draft(site.public)
    site.go(page, r(token, "consent/"))


def check(page, site: Site) -> None:
    _, token = site.answered_public_draft()
    site.go(page, r(token, "check/"))


def confirmation(page, site: Site) -> None:
    _, token = site.answered_public_draft()
    site.go(page, r(token, "check/"))
    send(page, "Send response")


def error_required_answer(page, site: Site) -> None:
    _, token = site.draft(site.public)
    site.go(page, r(token, f"q/{LONG}/"))
    send(page, "Save and continue")


def error_too_long(page, site: Site) -> None:
    _, token = site.draft(site.public)
    site.go(page, r(token, f"q/{SHORT}/"))
    page.get_by_label("Which town or village do you live in?").fill("Northshire " * 5)
    send(page, "Save and continue")


def error_no_choice(page, site: Site) -> None:
    _, token = site.draft(site.public)
    site.go(page, r(token, f"q/{SCALE}/"))
    send(page, "Save and continue")


def error_about_partner(page, site: Site) -> None:
    _, token = site.draft(site.partners)
    site.go(page, r(token, "about/"))
    send(page, "Save and continue")


def error_consent(page, site: Site) -> None:
    _, token = site.draft(site.public)
    site.go(page, r(token, "consent/"))
    send(page, "Continue")


def error_check(page, site: Site) -> None:
    _, token = site.answered_public_draft(required=False)
    site.go(page, r(token, "check/"))
    send(page, "Send response")


def error_return_link(page, site: Site) -> None:
    _, token = site.draft(site.public)
    site.go(page, r(token, "return/"))
    page.get_by_label("Email address").fill("not an address")
    send(page, "Send me the link")


def co_author_conflict(page, site: Site) -> None:
    response, token = site.draft(site.public, organisation=site.person.organisation)
    site.go(page, r(token, f"q/{LONG}/"))
    # A colleague saves first, after this page was loaded.
    save_answer(response, site.public.questions.get(key=f"q{LONG}"),
                text="Their answer: more patrols.", choices=[], revision=0)
    page.get_by_label("What would make you feel safer where you live?").fill("Mine: lighting.")
    send(page, "Save and continue")


def return_link(page, site: Site) -> None:
    _, token = site.draft(site.public)
    site.go(page, r(token, "return/"))


def return_link_sent(page, site: Site) -> None:
    _, token = site.draft(site.public)
    site.go(page, r(token, "return/?sent=1"))


def share_with_colleagues(page, site: Site) -> None:
    _, token = site.answered_public_draft()
    site.go(page, r(token, "check/"))
    send(page, "Get a link for colleagues")


def closed(page, site: Site) -> None:
    site.go(page, f"/c/{SLUG}/4/closed/")


def too_many_attempts(page, site: Site) -> None:
    site.go(page, f"/c/{SLUG}/3/")
    site.settings.CONSULTA_SUBMIT_RATE = "0/m"
    send(page, "Start now")
    site.settings.CONSULTA_SUBMIT_RATE = "10000/m"


def unsubscribe(page, site: Site) -> None:
    site.go(page, unsubscribe_url(site.person).removeprefix(site.url))


def accessibility_statement(page, site: Site) -> None:
    site.go(page, reverse("respond:accessibility"))


@dataclass(frozen=True)
class Case:
    reach: Callable
    heading: str  # in the page's one h1: proof the page reached is the page meant
    status: int = 200


PUBLIC_PAGES = {
    "start-staff-link": Case(start_staff_link, "Staff and officers"),
    "start-invitation": Case(start_invitation, "Partners"),
    "start-partner-without-invitation": Case(start_partner_without_invitation, "Partners"),
    "start-public": Case(start_public, "Everyone in Northshire"),
    "question-long-text": Case(question(LONG), "What would make you feel safer"),
    "question-short-text": Case(question(SHORT), "Which town or village"),
    "question-single-choice": Case(question(SINGLE), "Which should come first?"),
    "question-multiple-choice": Case(question(MULTIPLE), "How do you contact the police?"),
    "question-agreement-scale": Case(question(SCALE), "I feel safe walking alone after dark"),
    "about-internal": Case(about_internal, "What is your role?"),
    "about-partner": Case(about_partner, "About you"),
    "about-public": Case(about_public, "About you"),
    "consent": Case(consent, "May we publish your answers?"),
    "check-answers": Case(check, "Check your answers"),
    "confirmation": Case(confirmation, "Response sent"),
    "error-required-answer": Case(error_required_answer, "What would make you feel safer", 400),
    "error-too-long": Case(error_too_long, "Which town or village", 400),
    "error-no-choice": Case(error_no_choice, "I feel safe walking alone after dark", 400),
    "error-about-partner": Case(error_about_partner, "About you", 400),
    "error-consent": Case(error_consent, "May we publish your answers?", 400),
    "error-check-answers": Case(error_check, "Check your answers", 400),
    "error-return-link": Case(error_return_link, "Get a link to come back later", 400),
    "co-author-conflict": Case(co_author_conflict, "What would make you feel safer", 409),
    "return-link": Case(return_link, "Get a link to come back later"),
    "return-link-sent": Case(return_link_sent, "Get a link to come back later"),
    "share-with-colleagues": Case(share_with_colleagues, "A link for your colleagues"),
    "closed": Case(closed, "This consultation has closed", 410),
    "too-many-attempts": Case(too_many_attempts, "too many attempts", 429),
    "unsubscribe": Case(unsubscribe, "Unsubscribe"),
    "accessibility-statement": Case(accessibility_statement, "Accessibility statement"),
}


# Which cases show what each address of the journey renders: a new address in
# respond/urls.py fails test_it_checks_every_address_of_the_journey until it has a case here.
RENDERED_BY = {
    "phase-start": ["start-staff-link", "start-partner-without-invitation", "start-public"],
    "begin": ["too-many-attempts"],  # otherwise it redirects to the first question
    "closed": ["closed"],
    "invitation": ["start-invitation"],
    "invitation-begin": ["about-partner"],  # passed through on the way
    "resume": [],  # only ever redirects
    "question": ["question-long-text", "question-short-text", "question-single-choice",
                 "question-multiple-choice", "question-agreement-scale"],
    "question-save": ["error-required-answer", "error-too-long", "error-no-choice",
                      "co-author-conflict"],
    "about": ["about-internal", "about-partner", "about-public"],
    "about-save": ["error-about-partner"],
    "consent": ["consent"],
    "consent-save": ["error-consent"],
    "check": ["check-answers"],
    "submit": ["error-check-answers", "confirmation"],
    "return-link": ["return-link", "return-link-sent"],
    "return-link-send": ["error-return-link"],
    "share": ["share-with-colleagues"],
    "confirmation": ["confirmation"],
    "accessibility": ["accessibility-statement"],
}


def test_it_checks_every_address_of_the_journey():
    from consulta.web.respond.urls import urlpatterns

    assert {pattern.name for pattern in urlpatterns} == set(RENDERED_BY)
    assert {case for cases in RENDERED_BY.values() for case in cases} <= set(PUBLIC_PAGES)


def test_it_names_the_axe_core_version_it_tested_with(client, db):
    """The accessibility statement says which axe-core the tests ran: the one installed."""
    import axe_playwright_python

    script = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()
    version = re.search(r"axe v(\d+\.\d+\.\d+)", script)[1]
    statement = client.get(reverse("respond:accessibility")).content.decode()
    assert f"axe-core {version}" in statement


def make_site(url: str, settings) -> Site:
    consultation = Consultation.objects.create(
        slug=SLUG, title="Northshire policing survey", summary="How safe do you feel?",
        run_by="Northshire Independent Review", run_for="Northshire Police",
        status=Consultation.Status.OPEN,
    )
    for position, name in enumerate(["police staff", "police officer"], 1):
        RespondentRole.objects.create(consultation=consultation, name=name, position=position)
    long_text = {"title": "What would make you feel safer where you live?",
                 "context": "For example: lighting, patrols, how quickly we answer calls.",
                 "required": True}
    internal = make_phase(consultation, 1, "Staff and officers", Phase.Audience.INTERNAL,
                          Phase.Anonymity.ANONYMOUS, [long_text])
    partners = make_phase(consultation, 2, "Partners", Phase.Audience.PARTNERS,
                          Phase.Anonymity.IDENTIFIED, [long_text])
    kinds = Question.Kind
    public = make_phase(consultation, 3, "Everyone in Northshire", Phase.Audience.PUBLIC,
                        Phase.Anonymity.IDENTIFIED, [
                            long_text,
                            {"kind": kinds.SHORT_TEXT, "max_length": 40,
                             "title": "Which town or village do you live in?"},
                            {"kind": kinds.SINGLE_CHOICE, "title": "Which should come first?",
                             "options": ["Prevention", "Response", "Investigation"]},
                            {"kind": kinds.MULTIPLE_CHOICE,
                             "title": "How do you contact the police?",
                             "options": ["Phone", "Online", "In person"]},
                            {"kind": kinds.AGREEMENT_SCALE, "required": True,
                             "title": "I feel safe walking alone after dark."},
                        ])
    closed_phase = make_phase(consultation, 4, "Last winter’s survey", Phase.Audience.PUBLIC,
                              Phase.Anonymity.IDENTIFIED, [long_text], closed=True)
    ambulance = Organisation.objects.create(
        consultation=consultation, name="Eastvale Ambulance Service", sector="public",
        type="ambulance service")
    dana = Person.objects.create(consultation=consultation, name="Dana Okafor",
                                 email="dana@eastvale-ambulance.example", organisation=ambulance)
    return Site(url=url, settings=settings, consultation=consultation, internal=internal,
                partners=partners, public=public, closed=closed_phase, person=dana,
                invitation_token=invite(partners, dana))


@pytest.fixture
def site(live_server, transactional_db, settings, respondent_limits) -> Site:
    settings.CONSULTA_BASE_URL = live_server.url
    return make_site(live_server.url, settings)


def reached(page, case: Case) -> None:
    """The page is the one meant: it has one main heading, and it is the expected one."""
    assert page.locator("h1").count() == 1
    assert case.heading.casefold() in page.locator("h1").inner_text().casefold()


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_it_has_no_axe_violations_on_public_pages(name, site, module_page, module_mobile_page):
    case = PUBLIC_PAGES[name]
    statuses = []

    def record(response):
        if response.request.resource_type == "document":
            statuses.append(response.status)

    for browser_page in (module_page, module_mobile_page):  # desktop, then a phone
        browser_page.on("response", record)
        try:
            case.reach(browser_page, site)
        finally:
            browser_page.remove_listener("response", record)
        reached(browser_page, case)
        assert statuses[-1] == case.status, (name, statuses)
        width = browser_page.viewport_size["width"]
        assert axe_violations(browser_page) == [], f"{name} at {width}px"


@pytest.fixture
def demo_organiser(page, live_server, transactional_db):
    """The demo consultation, with its invitation history and 400+ responses, and an organiser
    signed in: the organiser pages at their fullest."""
    from consulta.web.demo.loader import load_demo

    demo, _ = load_demo()
    Membership.objects.create(consultation=demo, user=make_user("olu"))
    sign_in(page, live_server.url, "olu")
    return demo


@pytest.mark.parametrize("path", ["monitoring/", "phases/2/invitations/"],
                         ids=["monitoring", "invitations"])
def test_it_has_no_axe_violations_on_the_organisers_outreach_pages(demo_organiser, page,
                                                                     live_server, path):
    response = page.goto(f"{live_server.url}/organise/{demo_organiser.slug}/{path}")
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert page.locator("table").count() >= 2  # the demo's figures are on the page
    assert axe_violations(page) == [], path


def test_it_would_see_a_violation(module_page):
    """The checks above can fail: axe, run the same way, finds faults planted in a page."""
    module_page.set_content(
        '<html lang="en"><head><title>Faulty</title></head><body><main><h1>Faulty</h1>'
        '<img src="data:,"><input type="text"></main></body></html>'
    )
    found = " ".join(axe_violations(module_page))
    assert "image-alt" in found and "label" in found
