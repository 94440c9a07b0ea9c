"""RFC 8058 one-click unsubscribe: the headers on invitations and reminders (received by a real
SMTP server on loopback), and the address they name, which mail providers POST to without
cookies or a CSRF token."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

import smtp
from consulta.web.outreach import services
from consulta.web.outreach.email import unsubscribe_links
from consulta.web.stakeholders.models import Person
from test_outreach_lifecycle import BASE, UNSUBSCRIBE_LINK, make_partner_audience, reasons
from test_respond_support import fresh_rate_limits  # noqa: F401 (autouse fixture)

smtp_server = smtp.smtp_server  # the fixture: a real SMTP server on loopback
ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.CONSULTA_BASE_URL = BASE


@pytest.fixture
def partners(consultation):
    return make_partner_audience(consultation)


@pytest.fixture
def omar(partners) -> Person:
    return partners.consultation.people.get(name="Omar Osei")


@pytest.fixture
def provider() -> Client:
    """A mail provider's server: no cookies, no session, CSRF checks as in production."""
    return Client(enforce_csrf_checks=True)


def one_click_path(person: Person) -> str:
    return unsubscribe_links(person).one_click.removeprefix(BASE)


def click(client: Client, path: str, body: str = ONE_CLICK):
    return client.post(path, data=body, content_type=FORM)


def unsubscribe_entries(person: Person) -> list[LogEntry]:
    return [entry for entry in LogEntry.objects.get_for_object(person)
            if "unsubscribed_at" in entry.changes_dict]


def unsubscribed_at(person: Person):
    person.refresh_from_db()
    return person.unsubscribed_at


# --- The headers -----------------------------------------------------------------------------

def header_path(received) -> str:
    header = received.message["List-Unsubscribe"].strip()
    assert header.startswith(f"<{BASE}/unsubscribe/") and header.endswith("/one-click/>")
    return header[1:-1].removeprefix(BASE)


def test_it_puts_one_click_headers_on_invitations_and_reminders(partners, smtp_server):
    services.send_invitations(partners)
    services.send_reminders(partners)

    for address in ["dana@eastvale-ambulance.example", "sam@safestreets.example"]:
        invitation, reminder = smtp_server.to(address)
        assert reminder.subject.startswith("Reminder:")
        for received in (invitation, reminder):
            path = header_path(received)
            assert received.message["List-Unsubscribe-Post"] == ONE_CLICK
            # The footer keeps the confirm page for people, signed the same way.
            footer = UNSUBSCRIBE_LINK.search(received.text).group(1)
            assert path == footer + "one-click/"


def test_it_names_the_recipient_in_the_header(partners, smtp_server, provider):
    services.send_invitations(partners)
    [received] = smtp_server.to("omar@eastvale-ambulance.example")

    assert click(provider, header_path(received)).status_code == 200

    unsubscribed = set(Person.objects.filter(unsubscribed_at__isnull=False)
                       .values_list("name", flat=True))
    assert unsubscribed == {"Omar Osei", "Una Unsubscribed"}  # Una had already


def test_it_claims_no_one_click_on_a_site_without_https(partners, smtp_server, settings):
    settings.CONSULTA_BASE_URL = "http://127.0.0.1:8000"
    services.send_invitations(partners, people=[partners.consultation.people.get(name="Sam Lee")])

    [received] = smtp_server.messages
    header = received.message["List-Unsubscribe"].strip()  # long headers are folded
    assert header.startswith("<http://127.0.0.1:8000/unsubscribe/")
    assert received.message["List-Unsubscribe-Post"] is None  # RFC 8058 needs HTTPS


# --- The POST ----------------------------------------------------------------------------------

def test_it_unsubscribes_on_the_one_click_post_without_cookies(omar, provider):
    response = click(provider, one_click_path(omar))

    assert response.status_code == 200  # not a redirect, not a sign-in page
    assert "You have unsubscribed" in response.content.decode()
    assert not response.cookies  # nothing for the provider to keep
    assert unsubscribed_at(omar) is not None


def test_it_accepts_the_body_as_multipart_form_data(omar, provider):
    # RFC 8058 allows either form encoding; the test client's default is multipart.
    response = provider.post(one_click_path(omar), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert unsubscribed_at(omar) is not None


def test_a_second_post_is_harmless(omar, provider):
    click(provider, one_click_path(omar))
    first = unsubscribed_at(omar)

    again = click(provider, one_click_path(omar))

    assert again.status_code == 200
    assert unsubscribed_at(omar) == first


@pytest.mark.parametrize("body", ["", "List-Unsubscribe=Yes", "unsubscribe=One-Click",
                                  '{"List-Unsubscribe": "One-Click"}'])
def test_it_refuses_a_post_without_the_one_click_body(omar, provider, body):
    response = click(provider, one_click_path(omar), body)

    assert response.status_code == 400
    assert unsubscribed_at(omar) is None
    assert not unsubscribe_entries(omar)


def confirm_on_the_page(person: Person) -> None:
    signed = one_click_path(person).split("/")[2]
    assert Client().post(reverse("outreach:unsubscribe-confirm", args=[signed])).status_code == 302


def confirm_in_one_click(person: Person) -> None:
    assert click(Client(enforce_csrf_checks=True), one_click_path(person)).status_code == 200


@pytest.mark.parametrize("unsubscribe", [confirm_on_the_page, confirm_in_one_click])
def test_both_ways_record_the_same_audit_entry(omar, unsubscribe):
    unsubscribe(omar)

    [entry] = unsubscribe_entries(omar)
    assert entry.action == entry.Action.UPDATE
    assert entry.actor is None  # the person themselves, not anyone signed in
    before, after = entry.changes_dict["unsubscribed_at"]
    assert before is None and after not in (None, "None")
    assert unsubscribed_at(omar) is not None
    assert entry.additional_data["consultation_id"] == omar.consultation_id


def test_reminders_leave_out_whoever_unsubscribed_in_one_click(partners, omar, provider,
                                                                smtp_server):
    services.send_invitations(partners)
    click(provider, one_click_path(omar))
    smtp_server.clear()

    report = services.send_reminders(partners)

    assert reasons(report.skipped)["Omar Osei"] == "unsubscribed"
    assert "omar@eastvale-ambulance.example" not in smtp_server.recipients()
    assert smtp_server.recipients()  # the others were still reminded


# --- Everything else ---------------------------------------------------------------------------

def test_a_get_shows_the_confirm_page_and_changes_nothing(omar, provider):
    response = provider.get(one_click_path(omar))  # a link scanner, or a person

    assert response.status_code == 200
    html = response.content.decode()
    assert "omar@eastvale-ambulance.example" in html
    signed = one_click_path(omar).split("/")[2]
    assert reverse("outreach:unsubscribe-confirm", args=[signed]) in html  # the button
    assert unsubscribed_at(omar) is None


def test_it_answers_404_for_an_unknown_or_forged_link(omar, provider):
    for path in (f"/unsubscribe/{omar.pk}:forged/one-click/", "/unsubscribe/nonsense/one-click/"):
        assert click(provider, path).status_code == 404
        assert provider.get(path).status_code == 404
    assert unsubscribed_at(omar) is None


@pytest.mark.parametrize("method", ["put", "patch", "delete", "head", "options"])
def test_it_allows_only_get_and_post(omar, provider, method):
    response = getattr(provider, method)(one_click_path(omar))
    assert response.status_code == 405
    assert unsubscribed_at(omar) is None


def test_it_limits_one_click_posts_per_address(partners, provider, settings):
    settings.CONSULTA_UNSUBSCRIBE_RATE = "2/m"
    people = list(Person.objects.filter(consultation=partners.consultation,
                                        unsubscribed_at__isnull=True).exclude(email=""))[:3]

    statuses = [click(provider, one_click_path(person)).status_code for person in people]

    assert statuses == [200, 200, 429]
    assert unsubscribed_at(people[2]) is None
    # Another address is not held back.
    assert click(Client(REMOTE_ADDR="198.51.100.7"), one_click_path(people[2])).status_code == 200


def test_the_confirm_page_still_needs_its_csrf_token(omar, provider):
    # Only the one-click address is exempt: the page's own button stays protected.
    signed = one_click_path(omar).split("/")[2]
    response = provider.post(reverse("outreach:unsubscribe-confirm", args=[signed]))
    assert response.status_code == 403
    assert unsubscribed_at(omar) is None
