"""Real-browser tests: Debian's Chromium driven by Playwright, checked with axe-core.

`.ci/run` installs Chromium from Debian packages; Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC

import pytest

CHROMIUM = os.environ.get("CONSULTA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep Chromium off the network it cannot reach here (and quiet in CI).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# axe-core rule sets for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside
# one unless told it is safe. It is: the loop only drives the browser, never the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# One Playwright and one Chromium for the whole run. Each test module imports the `browser`
# fixture, and pytest keeps a session fixture imported into several modules once per module:
# they share this one (a second sync Playwright in the same thread is refused), and the last
# to finish closes it.
_shared: dict = {"users": 0}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    if not _shared["users"]:
        _shared["playwright"] = sync_playwright().start()
        _shared["browser"] = _shared["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    _shared["users"] += 1
    try:
        yield _shared["browser"]
    finally:
        _shared["users"] -= 1
        if not _shared["users"]:
            _shared.pop("browser").close()
            _shared.pop("playwright").stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser):
    """A constable's phone: small screen, touch."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def module_page(browser):
    """A desktop page kept for a whole module: many short checks skip a cold start each. Only
    for pages that keep nothing of a test in the browser that the next could trip over."""
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def module_mobile_page(browser):
    """The phone of ``mobile_page``, kept for a whole module."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True,
                                  is_mobile=True)
    yield context.new_page()
    context.close()


def axe_violations(page) -> list[str]:
    """axe-core's WCAG A/AA violations on the page, one readable line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
    ]


# Respondent pages ---------------------------------------------------------------------------

@pytest.fixture
def respondent_limits(settings):
    """Every request of a browser test comes from 127.0.0.1, so the per-address limits on
    starting and sending responses would soon answer 429: raise them, and start with none used.
    (The cache is the process's LocMemCache, shared with the live server's thread.)"""
    from django.core.cache import cache

    settings.CONSULTA_SUBMIT_RATE = "10000/m"
    settings.CONSULTA_RETURN_LINK_RATE = "10000/m"
    settings.CONSULTA_SAVE_RATE = "10000/m"
    cache.clear()
    yield
    cache.clear()


def sign_in(page, base_url: str, username: str, password: str = "correct horse battery") -> None:
    """Sign in through the login page, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/organise/")


def make_phase(consultation, position: int, name: str, audience: str, anonymity: str,
               questions: list[dict], *, closed: bool = False):
    """A phase open from 2026 to 2099 (or, ``closed``, one that ran in January 2026), with
    ``questions`` as keyword arguments of Question (position and key filled in)."""
    from datetime import datetime

    from consulta.web.consultations.models import Phase, Question

    opens_at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    closes_at = datetime(2026, 2, 1, 17, 0, tzinfo=UTC) if closed else datetime(
        2099, 3, 1, 17, 0, tzinfo=UTC)
    phase = Phase.objects.create(
        consultation=consultation, position=position, name=name, audience=audience,
        anonymity=anonymity, opens_at=opens_at, closes_at=closes_at,
        intro="Tell us what you think. Answer as many questions as you like.",
    )
    for number, fields in enumerate(questions, 1):
        Question.objects.create(phase=phase, position=number, key=f"q{number}", **fields)
    return phase


def invite(phase, person) -> str:
    """An invitation as the outreach app records a sent one; returns its personal token."""
    from django.utils import timezone

    from consulta.web.outreach.models import Invitation, InvitationToken
    from consulta.web.tokens import hash_token, new_token

    invitation = Invitation.objects.create(
        phase=phase, person=person, organisation=person.organisation, sent_at=timezone.now(),
        send_count=1,
    )
    token = new_token()
    InvitationToken.objects.create(invitation=invitation, token_hash=hash_token(token))
    return token
