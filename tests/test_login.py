"""Signing in and out of the back office."""

from __future__ import annotations

from django.urls import reverse

PASSWORD = "correct horse battery"


def test_it_shows_a_labelled_sign_in_form(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert html.count("<h1>") == 1
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert "error-summary" not in html
    assert "<script" not in html


def test_it_sends_signed_out_organisers_to_sign_in_and_back(client, organiser):
    page = reverse("consultations:overview", kwargs={"slug": "policing-a"})
    login = client.get(page)["Location"]
    assert login == f"{reverse('accounts:login')}?next={page}"
    assert f'name="next" value="{page}"' in client.get(login).content.decode()
    response = client.post(reverse("accounts:login"),
                           {"username": "alice", "password": PASSWORD, "next": page})
    assert response["Location"] == page


def test_it_signs_in_to_the_consultations_list(client, organiser):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response["Location"] == reverse("consultations:index")
    assert client.get(reverse("consultations:index")).status_code == 200


def test_it_explains_a_wrong_password_in_an_error_summary(client, organiser):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert '<a href="#id_username">Please enter a correct username and password.' in html
    assert "<title>Error: Sign in" in html
    assert "_auth_user_id" not in client.session


def test_it_points_at_missing_fields(client, db):
    html = client.post(reverse("accounts:login"), {"username": "", "password": ""}).content.decode()
    assert '<a href="#id_username">This field is required.</a>' in html
    assert '<a href="#id_password">This field is required.</a>' in html
    assert 'aria-describedby="id_username_error"' in html


def test_it_signs_out_with_a_post_form(client, organiser):
    client.force_login(organiser)
    html = client.get(reverse("consultations:index")).content.decode()
    assert f'<form method="post" action="{reverse("accounts:logout")}"' in html
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("consultations:index")).status_code == 302
