"""The acceptance test of issue 3, end to end in headless Chromium.

On the demo consultation, an organiser sends the phase 2 invitations from the back office; the
invitation email reaches a real SMTP server; an invited partner follows its link, answers the
four questions by typing, says who they are, chooses how their answers may be published,
checks and sends; the confirmation page shows a reference and the receipt arrives by email.
The organiser then sees the response counted on the monitoring page, and `consulta export`
holds it with the exact words typed.
"""

from __future__ import annotations

import json
import re
import time

from browsing import sign_in

from conftest import make_user
from consulta.cli import main as consulta
from consulta.web.consultations.models import Membership
from consulta.web.demo.loader import load_demo
from consulta.web.outreach import services
from consulta.web.outreach.models import Invitation
from consulta.web.responses.models import Response

# What the partner types, one answer per question (the demo's phase 2 asks four). The first
# holds any Unicode, and markup that must come back as text, never run.
ANSWERS = [
    ("Café £5 — ‘quotes’ and “more quotes”, naïve façade, 東京, emoji 🚓.\n\n"
     "<script>alert(1)</script> is what someone might type; it must stay text."),
    "Share one referral form between the ambulance service and the police.",
    "Publish response times by borough, every month.",
    "Pool control-room staff at night.\nReview it after six months.",
]


def funnel(page, number: int) -> dict[str, int]:
    """The monitoring page's invitation funnel for a phase: stage -> people."""
    table = page.locator("table").filter(
        has=page.locator("caption", has_text=f"Invitation funnel, phase {number}:"))
    counts = {}
    for row in table.locator("tbody tr").all():
        counts[row.locator("th").inner_text().strip()] = int(row.locator("td").first.inner_text())
    return counts


def submitted(page, number: int) -> int:
    """The "Submitted" figure of a phase in the monitoring page's at-a-glance table."""
    table = page.locator("table").filter(
        has=page.locator("caption", has_text="Submitted responses, drafts and invitations"))
    row = table.locator("tbody tr").nth(number - 1)
    return int(row.locator("td.num").first.inner_text())


def monitoring(page, url: str) -> tuple[int, dict[str, int]]:
    page.goto(url)
    return submitted(page, 2), funnel(page, 2)


def wait_for_mail(server, address: str, count: int, seconds: float = 10.0) -> list:
    """Messages reach the server from the live server's thread: wait for them, a little."""
    deadline = time.monotonic() + seconds
    while len(server.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return server.to(address)


def test_it_takes_an_invited_partner_from_the_email_to_monitoring_and_export(
    browser, page, live_server, transactional_db, settings, smtp_server, respondent_limits,
    tmp_path, monkeypatch,
):
    settings.CONSULTA_BASE_URL = live_server.url  # the links in the emails lead here
    demo, _ = load_demo()
    phase = demo.phases.all()[1]
    Membership.objects.create(consultation=demo, user=make_user("olu"))
    uninvited, _ = services.plan_invitations(phase)
    assert len(uninvited) >= 10  # the demo leaves people to invite

    # The organiser, in a browser of their own: the figures before, then the invitations.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    organiser = context.new_page()
    sign_in(organiser, live_server.url, "olu")
    monitoring_url = f"{live_server.url}/organise/{demo.slug}/monitoring/"
    submitted_before, funnel_before = monitoring(organiser, monitoring_url)

    organiser.goto(f"{live_server.url}/organise/{demo.slug}/phases/2/invitations/")
    with organiser.expect_navigation():  # the send, then back to this page with a message
        organiser.get_by_role("button", name=f"Send invitations to {len(uninvited)} people").click()
    assert f"Invitations: {len(uninvited)} sent" in organiser.locator("body").inner_text()
    assert sorted(smtp_server.recipients()) == sorted(p.email for p in uninvited)

    # One of them opens the email and follows the link in it.
    partner = uninvited[0]
    organisation = partner.organisation.name
    [invitation_email] = wait_for_mail(smtp_server, partner.email, 1)
    links = re.findall(re.escape(live_server.url) + r"/i/[A-Za-z0-9_-]+/", invitation_email.text)
    assert len(set(links)) == 1 and links[0] in invitation_email.html
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(links[0])
    assert phase.name in page.locator("h1").inner_text()
    assert f"You were invited as part of {organisation}" in page.locator("main").inner_text()
    page.get_by_role("button", name="Start now").click()

    questions = list(phase.questions.all())
    assert len(questions) == len(ANSWERS) == 4
    for number, (question, answer) in enumerate(zip(questions, ANSWERS), 1):
        page.wait_for_url(f"**/q/{number}/")
        assert page.locator("h1").inner_text() == question.title
        page.get_by_label(question.title).click()
        page.keyboard.type(answer)  # key by key, Enter for each line break
        page.get_by_role("button", name="Save and continue").click()

    # About you: filled in from the invitation; the partner adds that they speak for it.
    page.wait_for_url("**/about/")
    assert page.get_by_label("Your name (optional)").input_value() == partner.name
    assert page.get_by_label("Your organisation").input_value() == organisation
    if not page.locator("input[name=sector]:checked").count():
        page.locator("input[name=sector]").first.check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/consent/")
    page.get_by_label("Yes, in full").check()
    page.get_by_role("button", name="Continue").click()

    # Check your answers: every word as typed, the markup shown as text.
    page.wait_for_url("**/check/")
    shown = page.locator(".respond-answer-text").all_inner_texts()
    assert [text.strip() for text in shown] == ANSWERS
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content()
    assert partner.name in page.locator("main").inner_text()
    page.get_by_role("button", name="Send response").click()

    page.wait_for_url("**/done/**")
    assert page.locator("h1").inner_text() == "Response sent"
    reference = page.locator(".govuk-panel__body strong").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", reference), reference
    assert "We have sent you a receipt by email" in page.locator("main").inner_text()
    assert dialogs == []  # nothing typed ever ran as script

    # The receipt, at the real SMTP server.
    received = wait_for_mail(smtp_server, partner.email, 2)
    [receipt] = [m for m in received if m is not invitation_email]
    assert reference in receipt.subject and reference in receipt.text

    # Stored as sent, word for word.
    response = Response.objects.get(reference=reference)
    assert response.status == Response.Status.SUBMITTED and response.phase == phase
    assert [a.text for a in response.answers.order_by("question__position")] == ANSWERS
    assert response.organisation.name == organisation and response.on_behalf
    assert Invitation.objects.get(phase=phase, person=partner).status == "submitted"

    # The organiser sees it counted.
    submitted_after, funnel_after = monitoring(organiser, monitoring_url)
    assert submitted_after == submitted_before + 1
    assert funnel_after["Submitted"] == funnel_before["Submitted"] + 1
    assert funnel_after["Opened the link"] == funnel_before["Opened the link"] + 1
    assert funnel_after["Started a response"] == funnel_before["Started a response"] + 1
    assert funnel_after["Invited (sent)"] == funnel_before["Invited (sent)"] + len(uninvited)
    context.close()

    # And `consulta export` holds it.
    monkeypatch.setenv("CONSULTA_DATA_DIR", str(tmp_path / "data"))  # put back afterwards
    out = tmp_path / "export.json"
    assert consulta(["export", "--consultation", demo.slug, "--output", str(out),
                     "--data-dir", str(tmp_path / "data")]) == 0
    [exported] = json.loads(out.read_text(encoding="utf-8"))["consultations"]
    [found] = [r for r in exported["phases"][1]["responses"] if r["reference"] == reference]
    assert {a["question"]: a["text"] for a in found["answers"]} == {
        question.key: answer for question, answer in zip(questions, ANSWERS)
    }
    assert found["status"] == "submitted" and found["consent"] == "full"
    assert found["organisation"] == organisation
    assert found["respondent"]["email"] == partner.email
