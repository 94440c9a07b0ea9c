"""The back office: consultations list, create, overview and counts, edit, roles, members, audit."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import PHASE_1_CLOSES, PHASE_2_CLOSES, make_user
from consulta.web.consultations.models import Consultation, Membership, Phase
from consulta.web.responses.models import Response

SUBMITTED = Response.Status.SUBMITTED


def url(name: str, **kwargs) -> str:
    return reverse(f"consultations:{name}", kwargs=kwargs)


class _Tables(HTMLParser):
    """Collects every table's caption and rows of whitespace-normalised cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in {"td", "th", "caption"}:
            self._text = []

    def handle_endtag(self, tag):
        if tag not in {"td", "th", "caption"} or self._text is None:
            return
        text = " ".join("".join(self._text).split())
        if tag == "caption":
            self.tables[-1]["caption"] = text
        else:
            self.tables[-1]["rows"][-1].append(text)
        self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def all_rows(html: str, caption: str) -> list[list[str]]:
    """The rows of the table whose caption contains ``caption``."""
    parser = _Tables()
    parser.feed(html)
    return next(t for t in parser.tables if caption in t["caption"])["rows"]


def table_rows(html: str, caption: str) -> dict[str, list[str]]:
    """The same rows keyed by their first cell."""
    return {row[0]: row[1:] for row in all_rows(html, caption) if row}


def add_response(phase, reference, *, status=SUBMITTED, organisation=None, role=None):
    return Response.objects.create(
        phase=phase, reference=reference, status=status, organisation=organisation, role=role,
        submitted_at=PHASE_1_CLOSES if status == SUBMITTED else None,
    )


@pytest.fixture
def responses(consultation, other_consultation):
    """Phase 1: 4 submitted + 1 draft. Phase 2: 4 submitted + 1 draft. One in B (never counted)."""
    internal, partners = consultation.phases.all()
    officer, leader = (consultation.roles.get(name=n) for n in ["police officer", "senior leader"])
    ambulance = consultation.organisations.get(name="Eastvale Ambulance Service")
    charity = consultation.organisations.get(name="Safe Streets Trust")
    for ref, role in [("P1-1", officer), ("P1-2", officer), ("P1-3", leader), ("P1-4", None)]:
        add_response(internal, ref, role=role)
    add_response(internal, "P1-5", role=officer, status=Response.Status.DRAFT)
    for ref, org in [("P2-1", ambulance), ("P2-2", ambulance), ("P2-3", charity), ("P2-4", None)]:
        add_response(partners, ref, organisation=org)
    add_response(partners, "P2-5", organisation=charity, status=Response.Status.DRAFT)
    add_response(other_consultation.phases.first(), "B-1",
                 organisation=other_consultation.organisations.first())


# Signed out ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["overview", "edit", "roles", "members", "audit"])
def test_it_sends_signed_out_visitors_to_sign_in(client, consultation, name):
    response = client.get(url(name, slug=consultation.slug))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_it_sends_signed_out_visitors_from_the_list_and_new_page(client, db):
    for page in [url("index"), url("new")]:
        assert client.get(page)["Location"] == f"{reverse('accounts:login')}?next={page}"


# List and create -------------------------------------------------------------------------------


def test_it_lists_the_users_consultations_with_counts(client, organiser, responses):
    client.force_login(organiser)
    response = client.get(url("index"))
    rows = table_rows(response.content.decode(), "Consultations you are a member of")
    assert rows["Policing A"] == ["Open", "Organiser", "2", "8"]  # B's response is not counted
    assert "Policing B" not in rows
    assert "Create a consultation" in response.content.decode()


def test_it_hides_the_create_button_without_permission(client, analyst):
    client.force_login(analyst)
    response = client.get(url("index"))
    assert "Analyst" in response.content.decode()
    assert "Create a consultation" not in response.content.decode()


def test_it_creates_a_consultation_with_its_creator_as_organiser(client, organiser):
    client.force_login(organiser)
    assert client.get(url("new")).status_code == 200
    data = {"title": "Fire review", "slug": "fire-review", "summary": "S", "background": "B",
            "run_by": "Review Body", "run_for": "Fire Service", "status": "draft"}
    response = client.post(url("create"), data)
    assert response["Location"] == url("overview", slug="fire-review")
    created = Consultation.objects.get(slug="fire-review")
    assert (created.title, created.run_for) == ("Fire review", "Fire Service")
    assert created.status == Consultation.Status.DRAFT
    membership = created.memberships.get()
    assert (membership.user, membership.role) == (organiser, Membership.Role.ORGANISER)


def test_it_refuses_creation_without_permission(client, analyst):
    client.force_login(analyst)
    assert client.get(url("new")).status_code == 403
    response = client.post(url("create"), {"title": "X", "slug": "x", "status": "draft"})
    assert response.status_code == 403
    assert not Consultation.objects.filter(slug="x").exists()


def test_it_refuses_get_on_create(client, organiser):
    client.force_login(organiser)
    assert client.get(url("create")).status_code == 405


@pytest.mark.parametrize(
    "slug, message",
    [("policing-a", "already uses this name"), ("Policing-A", "already uses this name"),
     ("new", "reserved"), ("not a slug!", "valid")],
)
def test_it_rejects_bad_slugs(client, organiser, slug, message):
    client.force_login(organiser)
    response = client.post(url("create"), {"title": "Another", "slug": slug, "status": "draft"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and '<a href="#id_slug">' in html
    assert message in html
    assert Consultation.objects.count() == 1


# Overview --------------------------------------------------------------------------------------


def test_it_counts_submitted_responses_by_phase(client, organiser, responses):
    client.force_login(organiser)
    rows = table_rows(client.get(url("overview", slug="policing-a")).content.decode(), "Phases")
    assert rows["1. Staff and officers"][0:2] == ["Internal (staff)", "Anonymous"]
    assert rows["1. Staff and officers"][4:6] == ["Closed", "4"]
    assert rows["2. Partners"][4:6] == ["Open", "4"]


def test_it_counts_submitted_responses_by_sector_and_phase(client, organiser, responses):
    client.force_login(organiser)
    html = client.get(url("overview", slug="policing-a")).content.decode()
    rows = table_rows(html, "by sector")
    assert rows["Public"] == ["0", "2", "2"]
    assert rows["Voluntary and community"] == ["0", "1", "1"]
    assert rows["Private"] == ["0", "0", "0"]
    assert rows["No organisation"] == ["4", "1", "5"]
    assert rows["Total"] == ["4", "4", "8"]


def test_it_counts_internal_responses_by_role(client, organiser, responses):
    client.force_login(organiser)
    html = client.get(url("overview", slug="policing-a")).content.decode()
    rows = table_rows(html, "by role")
    assert rows["Role"] == ["Phase 1: Staff and officers", "Total"]  # internal phases only
    assert rows["police officer"] == ["2", "2"]
    assert rows["senior leader"] == ["1", "1"]
    assert rows["police staff"] == ["0", "0"]
    assert rows["No role given"] == ["1", "1"]
    assert rows["Total"] == ["4", "4"]


def test_it_counts_the_network(client, organiser):
    client.force_login(organiser)
    html = client.get(url("overview", slug="policing-a")).content.decode()
    assert "<dt>Organisations</dt><dd>2</dd>" in html
    assert "<dt>People</dt><dd>2</dd>" in html


def test_it_counts_in_the_same_number_of_queries_however_big(client, organiser, responses):
    client.force_login(organiser)
    Membership.objects.create(consultation=Consultation.objects.get(slug="policing-b"),
                              user=organiser)
    Phase.objects.create(consultation=Consultation.objects.get(slug="policing-a"), position=3,
                         name="More staff", audience="internal", opens_at=PHASE_1_CLOSES,
                         closes_at=PHASE_2_CLOSES)
    queries = []
    for slug in ["policing-a", "policing-b"]:  # A: 3 phases, 8 responses; B: 2 phases, 1
        with CaptureQueriesContext(connection) as captured:
            client.get(url("overview", slug=slug))
        queries.append(len(captured))
    assert queries[0] == queries[1]


def test_it_shows_the_overview_read_only_to_analysts(client, analyst):
    client.force_login(analyst)
    response = client.get(url("overview", slug="policing-a"))
    assert response.status_code == 200
    assert url("edit", slug="policing-a") not in response.content.decode()
    for link in [url("audit", slug="policing-a"), url("members", slug="policing-a"),
                 reverse("stakeholders:index", kwargs={"slug": "policing-a"}),
                 reverse("responses:index", kwargs={"slug": "policing-a"})]:
        assert f'href="{link}"' in response.content.decode()
    assert client.get(url("edit", slug="policing-a")).status_code == 403


@pytest.mark.parametrize("name", ["overview", "edit", "roles", "members", "audit"])
def test_it_hides_pages_from_outsiders(client, consultation, outsider, name):
    client.force_login(outsider)
    assert client.get(url(name, slug="policing-a")).status_code == 404


# Permission matrix for mutating views ----------------------------------------------------------

MUTATIONS = {
    "update": (lambda c: {}, {"title": "Changed", "status": "open"}),
    "role-create": (lambda c: {}, {"name": "detective"}),
    "role-delete": (lambda c: {"pk": c.roles.first().pk}, {}),
    "member-add": (lambda c: {}, {"user": "dora", "role": "analyst"}),
    "member-remove": (lambda c: {"pk": c.memberships.get(user__username="bob").pk}, {}),
}


def snapshot(consultation) -> tuple:
    consultation.refresh_from_db()
    return consultation.title, consultation.roles.count(), consultation.memberships.count()


@pytest.mark.parametrize("name", MUTATIONS)
def test_it_hides_mutations_from_outsiders(client, consultation, analyst, outsider, name):
    make_user("dora")
    extra, data = MUTATIONS[name]
    before = snapshot(consultation)
    client.force_login(outsider)
    assert client.post(url(name, slug="policing-a", **extra(consultation)), data).status_code == 404
    assert snapshot(consultation) == before


@pytest.mark.parametrize("name", MUTATIONS)
def test_it_forbids_mutations_to_analysts(client, consultation, analyst, name):
    make_user("dora")
    extra, data = MUTATIONS[name]
    before = snapshot(consultation)
    client.force_login(analyst)
    assert client.post(url(name, slug="policing-a", **extra(consultation)), data).status_code == 403
    assert snapshot(consultation) == before


@pytest.mark.parametrize("name", MUTATIONS)
def test_it_refuses_get_on_mutations(client, consultation, organiser, analyst, name):
    extra, _ = MUTATIONS[name]
    client.force_login(organiser)
    assert client.get(url(name, slug="policing-a", **extra(consultation))).status_code == 405


# Edit ------------------------------------------------------------------------------------------


def test_it_updates_details_but_never_the_slug(client, consultation, organiser):
    client.force_login(organiser)
    assert 'value="Policing A"' in client.get(url("edit", slug="policing-a")).content.decode()
    data = {"title": "Policing A (revised)", "slug": "hijack", "run_by": "New body",
            "run_for": "Northshire Police", "status": "closed"}
    response = client.post(url("update", slug="policing-a"), data)
    assert response["Location"] == url("overview", slug="policing-a")
    consultation.refresh_from_db()
    assert (consultation.slug, consultation.title) == ("policing-a", "Policing A (revised)")
    assert (consultation.run_by, consultation.status) == ("New body", "closed")


def test_it_rerenders_invalid_details(client, consultation, organiser):
    client.force_login(organiser)
    response = client.post(url("update", slug="policing-a"), {"title": "", "status": "open"})
    assert response.status_code == 400
    assert '<a href="#id_title">' in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.title == "Policing A"


# Roles -----------------------------------------------------------------------------------------


def test_it_adds_a_role_at_the_end(client, consultation, organiser):
    client.force_login(organiser)
    response = client.post(url("role-create", slug="policing-a"), {"name": "  detective "})
    assert response["Location"] == url("roles", slug="policing-a")
    assert list(consultation.roles.values_list("name", "position"))[-1] == ("detective", 4)
    assert "detective" in client.get(url("roles", slug="policing-a")).content.decode()


def test_it_rejects_a_duplicate_role(client, consultation, organiser):
    client.force_login(organiser)
    response = client.post(url("role-create", slug="policing-a"), {"name": "Police Officer"})
    assert response.status_code == 400
    assert '<a href="#id_name">This consultation already has that role.</a>' in (
        response.content.decode()
    )
    assert consultation.roles.count() == 3


def test_it_deletes_an_unused_role(client, consultation, organiser):
    client.force_login(organiser)
    role = consultation.roles.get(name="police staff")
    client.post(url("role-delete", slug="policing-a", pk=role.pk))
    assert not consultation.roles.filter(pk=role.pk).exists()


def test_it_keeps_a_role_that_responses_use(client, consultation, organiser, responses):
    client.force_login(organiser)
    role = consultation.roles.get(name="police officer")
    response = client.post(url("role-delete", slug="policing-a", pk=role.pk), follow=True)
    assert consultation.roles.filter(pk=role.pk).exists()
    assert "cannot be deleted" in response.content.decode()


def test_it_404s_a_role_of_another_consultation(client, organiser, other_consultation):
    client.force_login(organiser)
    role = other_consultation.roles.first()
    assert client.post(url("role-delete", slug="policing-a", pk=role.pk)).status_code == 404
    assert other_consultation.roles.filter(pk=role.pk).exists()


# Members ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["dora", "DORA@example.org"])
def test_it_adds_a_member_by_username_or_email(client, consultation, organiser, identifier):
    dora = make_user("dora", organiser=False)
    client.force_login(organiser)
    response = client.post(url("member-add", slug="policing-a"),
                           {"user": identifier, "role": "analyst"})
    assert response["Location"] == url("members", slug="policing-a")
    assert consultation.memberships.get(user=dora).role == Membership.Role.ANALYST


@pytest.mark.parametrize("identifier, message", [("nobody", "There is no account"),
                                                 ("alice", "already a member")])
def test_it_rejects_unknown_users_and_existing_members(client, organiser, identifier, message):
    client.force_login(organiser)
    response = client.post(url("member-add", slug="policing-a"),
                           {"user": identifier, "role": "organiser"})
    assert response.status_code == 400
    assert '<a href="#id_user">' in response.content.decode()
    assert message in response.content.decode()


def test_it_removes_a_member(client, consultation, organiser, analyst):
    client.force_login(organiser)
    membership = consultation.memberships.get(user=analyst)
    client.post(url("member-remove", slug="policing-a", pk=membership.pk))
    assert not consultation.memberships.filter(user=analyst).exists()


def test_it_keeps_the_last_organiser(client, consultation, organiser, analyst):
    client.force_login(organiser)
    membership = consultation.memberships.get(user=organiser)
    response = client.post(url("member-remove", slug="policing-a", pk=membership.pk), follow=True)
    assert consultation.memberships.filter(user=organiser).exists()
    assert "at least one organiser" in response.content.decode()


def test_it_lets_an_organiser_leave_when_another_remains(client, consultation, organiser):
    Membership.objects.create(consultation=consultation, user=make_user("dora"))
    client.force_login(organiser)
    membership = consultation.memberships.get(user=organiser)
    response = client.post(url("member-remove", slug="policing-a", pk=membership.pk))
    assert response["Location"] == url("index")
    assert not consultation.memberships.filter(user=organiser).exists()


def test_it_lists_members_without_controls_for_analysts(client, analyst, organiser):
    client.force_login(analyst)
    html = client.get(url("members", slug="policing-a")).content.decode()
    assert "alice" in html and "bob" in html
    assert "Add a member" not in html and "Remove" not in html


def test_it_links_the_overview_to_monitoring_and_invitations(client, organiser):
    client.force_login(organiser)
    html = client.get(url("overview", slug="policing-a")).content.decode()
    assert reverse("outreach:monitoring", kwargs={"slug": "policing-a"}) in html
    assert reverse("outreach:invitations", kwargs={"slug": "policing-a", "number": 2}) in html
