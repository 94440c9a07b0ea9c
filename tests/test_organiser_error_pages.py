"""Error pages in the site's design, with DEBUG off (as in production)."""

from __future__ import annotations

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

SLUG = "policing-a"
STYLESHEET = 'href="/static/consulta/consulta.css"'


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def test_an_unknown_address_gets_the_designed_404(client, db):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<title>Page not found – Consulta</title>" in html
    assert STYLESHEET in html and 'class="site-header"' in html
    assert "Ask the people who sent it for a new link" in html


def test_an_unknown_invitation_link_gets_the_designed_404(client, db):
    response = client.get(reverse("respond:invitation", kwargs={"token": "not-a-real-token"}))

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_an_outsider_gets_the_same_404_as_for_nothing_at_all(client, outsider, consultation):
    client.force_login(outsider)
    response = client.get(reverse("consultations:overview", args=[SLUG]))

    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and "Policing A" not in html
    assert reverse("consultations:index") in html  # signed in: a way back to their own


def test_an_analyst_who_tries_to_change_something_gets_the_designed_403(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("consultations:edit", args=[SLUG]))

    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>You cannot do this</h1>" in html and STYLESHEET in html


def test_a_form_without_its_security_token_gets_the_designed_403(organiser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)

    response = client.post(reverse("consultations:update", args=[SLUG]), {"title": "X"})

    assert response.status_code == 403
    assert "The form had expired" in response.content.decode()


def test_a_bad_request_gets_the_designed_400(db):
    request = RequestFactory().get("/")
    request.user = None

    response = defaults.bad_request(request, SuspiciousOperation("bad"))

    assert response.status_code == 400
    assert "there is a problem with that request" in response.content.decode()


def test_the_500_page_needs_no_request_and_no_database(django_assert_num_queries, db):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = defaults.server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html and STYLESHEET in html
