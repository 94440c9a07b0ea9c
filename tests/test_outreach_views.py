"""The organiser's invitation and wording pages: what they show, what they do, who may use them."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

import smtp
from consulta.web.outreach.models import Invitation, MessageTemplate
from smtp import free_port
from test_outreach_lifecycle import make_partner_audience

smtp_server = smtp.smtp_server  # the fixture: a real SMTP server on loopback
SLUG = "policing-a"
GET_PAGES = [
    ("outreach:invitations", [SLUG, 2]),
    ("outreach:message", [SLUG, 2, "invitation"]),
    ("outreach:message", [SLUG, 2, "reminder"]),
]
POST_VIEWS = [
    ("outreach:invite", [SLUG, 2]),
    ("outreach:remind", [SLUG, 2]),
    ("outreach:message-update", [SLUG, 2, "invitation"]),
    ("outreach:message-update", [SLUG, 2, "reminder"]),
]
WORDING = {"subject": "Please respond, {name}", "body": "Dear {name},\n\nYour link: {link}"}


@pytest.fixture
def partners(consultation):
    return make_partner_audience(consultation)


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Permissions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name,args", GET_PAGES + POST_VIEWS)
def test_it_hides_every_outreach_view_from_outsiders(client, outsider, partners, name, args):
    client.force_login(outsider)
    method = client.get if (name, args) in GET_PAGES else client.post
    assert method(reverse(name, args=args), WORDING if "update" in name else {}).status_code == 404


@pytest.mark.parametrize("name,args", GET_PAGES + POST_VIEWS)
def test_it_forbids_analysts_every_outreach_view(client, analyst, partners, name, args):
    client.force_login(analyst)
    method = client.get if (name, args) in GET_PAGES else client.post
    assert method(reverse(name, args=args), WORDING if "update" in name else {}).status_code == 403
    assert not Invitation.objects.exists() and not MessageTemplate.objects.exists()


@pytest.mark.parametrize("name,args", POST_VIEWS)
def test_it_only_accepts_post_on_mutating_views(client, organiser, partners, name, args):
    client.force_login(organiser)
    assert client.get(reverse(name, args=args)).status_code == 405
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("name,args", GET_PAGES + POST_VIEWS)
def test_it_sends_signed_out_visitors_to_sign_in(client, partners, name, args):
    method = client.get if (name, args) in GET_PAGES else client.post
    response = method(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_answers_404_for_an_unknown_phase_or_kind(client, organiser, partners):
    client.force_login(organiser)
    assert client.get(reverse("outreach:invitations", args=[SLUG, 9])).status_code == 404
    assert client.get(reverse("outreach:message", args=[SLUG, 2, "nagging"])).status_code == 404
    update = reverse("outreach:message-update", args=[SLUG, 2, "nagging"])
    assert client.post(update, WORDING).status_code == 404


# The invitations page ------------------------------------------------------------------------

def test_it_shows_who_is_left_to_invite(client, organiser, partners):
    client.force_login(organiser)
    page = client.get(reverse("outreach:invitations", args=[SLUG, 2]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "4 people in this phase's audience have not been invited yet" in html
    assert "Send invitations to 4 people" in html
    assert "no email address" in html and "unsubscribed" in html
    assert "Nobody has been invited to this phase yet." in html
    assert "Send reminders" not in html


def test_it_sends_invitations_from_the_page(client, organiser, partners, smtp_server):
    client.force_login(organiser)
    response = client.post(reverse("outreach:invite", args=[SLUG, 2]))

    assert response.status_code == 302
    assert response.url == reverse("outreach:invitations", args=[SLUG, 2])
    assert texts(response) == [
        "Invitations: 3 sent, 2 skipped (1 no email address, 1 unsubscribed), 1 bounced."
    ]
    assert len(smtp_server.messages) == 3
    assert Invitation.objects.filter(phase__position=2, sent_at__isnull=False).count() == 3


def test_it_lists_invitations_with_their_status_and_bounce_reason(client, organiser, partners,
                                                                  smtp_server):
    client.force_login(organiser)
    client.post(reverse("outreach:invite", args=[SLUG, 2]))
    page = client.get(reverse("outreach:invitations", args=[SLUG, 2]))
    html = page.content.decode()

    assert "550 5.1.1 No such user" in html
    assert "bounce@eastvale-ambulance.example" in html
    assert '<th scope="row">Sent</th><td class="num">3</td>' in html
    assert '<th scope="row">Bounced</th><td class="num">1</td>' in html
    assert "1 person in this phase's audience has not been invited yet" in html  # Bea
    assert "Send reminders to 3 people" in html


def test_it_sends_reminders_from_the_page(client, organiser, partners, smtp_server):
    client.force_login(organiser)
    client.post(reverse("outreach:invite", args=[SLUG, 2]))
    smtp_server.clear()

    response = client.post(reverse("outreach:remind", args=[SLUG, 2]))

    assert response.status_code == 302
    assert texts(response)[-1] == "Reminders: 3 sent, 1 skipped (1 invitation bounced)."
    assert len(smtp_server.messages) == 3
    assert Invitation.objects.filter(reminder_count=1).count() == 3


def test_it_says_why_nothing_is_sent_for_a_closed_phase(client, organiser, consultation):
    client.force_login(organiser)
    response = client.post(reverse("outreach:invite", args=[SLUG, 1]), follow=True)
    assert "closed" in texts(response)[0]
    assert "This phase has closed" in response.content.decode()


def test_it_reports_a_mail_server_that_is_down(client, organiser, partners, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    client.force_login(organiser)

    response = client.post(reverse("outreach:invite", args=[SLUG, 2]))

    assert response.status_code == 302
    assert "Invitations stopped: the mail server is unavailable" in texts(response)[0]
    assert not Invitation.objects.filter(sent_at__isnull=False).exists()


# Wording -------------------------------------------------------------------------------------

def test_it_shows_the_default_wording_with_a_preview(client, organiser, partners):
    client.force_login(organiser)
    page = client.get(reverse("outreach:message", args=[SLUG, 2, "invitation"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "uses the default wording" in html
    assert 'value="Invitation to respond: {consultation}"' in html
    assert "Preview for Bea Bounce" in html  # the first person of the audience
    assert "Dear Bea Bounce," in html
    assert "Invitation to respond: Policing A" in html


def test_it_saves_the_wording_and_previews_it(client, organiser, partners):
    client.force_login(organiser)
    response = client.post(reverse("outreach:message-update", args=[SLUG, 2, "reminder"]),
                           WORDING)

    assert response.status_code == 302
    assert response.url == reverse("outreach:message", args=[SLUG, 2, "reminder"])
    assert texts(response) == ["Reminder wording saved."]
    template = MessageTemplate.objects.get(phase__position=2, kind="reminder")
    assert (template.subject, template.body) == (WORDING["subject"], WORDING["body"])
    page = client.get(response.url).content.decode()
    assert "Please respond, Bea Bounce" in page and "uses the default wording" not in page

    client.post(reverse("outreach:message-update", args=[SLUG, 2, "reminder"]),
                {**WORDING, "subject": "Second thoughts"})
    assert MessageTemplate.objects.get(phase__position=2, kind="reminder").subject == (
        "Second thoughts"
    )
    assert MessageTemplate.objects.count() == 1


@pytest.mark.parametrize("wording,error", [
    ({"subject": "Hi {nmae}", "body": "Go: {link}"}, "Unknown placeholder {nmae}"),
    ({"subject": "Hi", "body": "Please respond soon."}, "Include {link}"),
    ({"subject": "", "body": "Go: {link}"}, "This field is required"),
])
def test_it_refuses_wording_that_would_go_wrong(client, organiser, partners, wording, error):
    client.force_login(organiser)
    response = client.post(reverse("outreach:message-update", args=[SLUG, 2, "invitation"]),
                           wording)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in html and error in html
    assert not MessageTemplate.objects.exists()


# Filling placeholders ------------------------------------------------------------------------

def test_it_fills_placeholders_by_name_only():
    from consulta.web.outreach.email import fill, unknown_placeholders

    values = {"name": "Dana {link}", "link": "https://x.example/i/t/"}
    text = "{name} {link} {name.__class__} {link[0]} {unknown} { {name"
    assert fill(text, values) == (
        "Dana {link} https://x.example/i/t/ {name.__class__} {link[0]} {unknown} { {name"
    )
    assert unknown_placeholders("{name} {nmae} {nmae} {closes}") == ["{nmae}"]
