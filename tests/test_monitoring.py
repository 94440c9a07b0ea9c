"""Monitoring queries: responses over time, breakdowns, the invitation funnel and coverage gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consulta.web.outreach import monitoring
from consulta.web.outreach.models import Invitation
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person

TODAY = date(2026, 6, 10)


def at(day: int, month: int = 2, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def org(consultation, name: str, type_: str, sector: str = "public") -> Organisation:
    return Organisation.objects.create(consultation=consultation, name=name, type=type_,
                                       sector=sector)


def person(consultation, name: str, organisation, email: str = "", **fields) -> Person:
    return Person.objects.create(consultation=consultation, name=name, email=email,
                                 organisation=organisation, **fields)


def submitted(phase, when: datetime, organisation=None, **fields) -> Response:
    return Response.objects.create(phase=phase, status=Response.Status.SUBMITTED,
                                   submitted_at=when, organisation=organisation, **fields)


def invite(phase, who: Person, **moments) -> Invitation:
    return Invitation.objects.create(phase=phase, person=who, **moments)


@pytest.fixture
def network(consultation):
    """Phase 2's audience: 2 ambulance services, 12 local authorities, 2 charities, a college
    and a university; invitations at every stage; responses from 6 of the organisations."""
    internal, partners = consultation.phases.all()
    orgs = {o.name: o for o in consultation.organisations.all()}
    councils = [org(consultation, f"Borough {i} Council", "local authority") for i in range(1, 13)]
    northvale = org(consultation, "Northvale Ambulance Service", "ambulance service")
    college = org(consultation, "Northshire College", "education")
    university = org(consultation, "Northshire University", "university", "academic")
    youth = org(consultation, "Youth Voice", "Charity ", "voluntary")  # typed differently
    outside = org(consultation, "Outside Ltd", "business", "private")  # not in the audience
    for organisation in [*councils, northvale, college, university]:
        AudienceMember.objects.create(phase=partners, organisation=organisation)
    dana = consultation.people.get(name="Dana Okafor")  # Eastvale Ambulance Service
    sam = consultation.people.get(name="Sam Lee")  # Safe Streets Trust (charity)
    lee = person(consultation, "Lee Park", councils[0], "lee@borough1.example")
    bo = person(consultation, "Bo Stone", councils[1], "bo@borough2.example")
    pat = person(consultation, "Pat Hill", councils[2], "pat@borough3.example")
    ola = person(consultation, "Ola Obi", youth)  # no email address
    uma = person(consultation, "Uma Rao", councils[11], "uma@borough12.example",
                 unsubscribed_at=at(1))
    for who in [dana, sam, lee, bo, pat, ola, uma]:
        AudienceMember.objects.create(phase=partners, person=who)
    invite(partners, dana, sent_at=at(2), opened_at=at(3))
    invite(partners, sam, organisation=orgs["Safe Streets Trust"], sent_at=at(2),
           opened_at=at(2, hour=11), started_at=at(2, hour=12), submitted_at=at(4))
    invite(partners, lee, sent_at=at(2), started_at=at(5))  # opened without it being recorded
    invite(partners, bo, sent_at=at(2), bounced_at=at(2), bounce_reason="550 no such user")
    invite(partners, pat)  # created, never sent
    # Partners: 9 submitted over three London days (the last is 2 June in London, BST).
    submitted(partners, at(2), councils[0])
    submitted(partners, at(2, minute=30), councils[0])
    submitted(partners, at(4, hour=9), councils[3])
    submitted(partners, at(4, hour=23, minute=30), councils[4])  # GMT: still 4 February
    submitted(partners, at(4, hour=12), orgs["Safe Streets Trust"])
    submitted(partners, at(1, month=6, hour=23, minute=30), youth)  # 00:30 on 2 June in London
    submitted(partners, at(1, month=6, hour=8), university)
    submitted(partners, at(1, month=6, hour=9), outside)
    submitted(partners, at(1, month=6, hour=10))  # no organisation
    Response.objects.create(phase=partners, organisation=councils[5])  # drafts
    Response.objects.create(phase=partners)
    # Internal phase (5 January to 1 February): roles, no organisations.
    staff, officer, _ = consultation.roles.all()
    for day in (5, 5, 6):
        submitted(internal, at(day, month=1), role=staff)
    submitted(internal, at(20, month=1), role=officer)
    submitted(internal, at(21, month=1))
    return consultation


def by_phase(consultation) -> tuple[monitoring.PhaseMonitoring, monitoring.PhaseMonitoring]:
    first, second = monitoring.monitor(consultation, today=TODAY)
    return first, second


def test_it_counts_submitted_responses_per_london_day_with_a_running_total(network):
    _, partners = by_phase(network)
    days = {day.day: day for day in partners.timeline.days}
    assert partners.timeline.days[0].day == date(2026, 2, 1)  # the day the phase opened
    assert partners.timeline.days[-1].day == TODAY  # still open: runs to today
    assert (days[date(2026, 2, 1)].submitted, days[date(2026, 2, 2)].submitted) == (0, 2)
    assert days[date(2026, 2, 3)].submitted == 0
    assert (days[date(2026, 2, 4)].submitted, days[date(2026, 2, 4)].cumulative) == (3, 5)
    assert days[date(2026, 6, 1)].submitted == 3
    assert days[date(2026, 6, 2)].submitted == 1  # 23:30 UTC on 1 June is 2 June in London
    assert days[date(2026, 6, 2)].cumulative == 9 == partners.timeline.total
    assert partners.timeline.busiest.day == date(2026, 2, 4)
    assert (partners.submitted, partners.drafts, partners.undated) == (9, 2, 0)


def test_it_spans_a_closed_phase_from_opening_to_closing(network):
    internal, _ = by_phase(network)
    assert internal.timeline.days[0].day == date(2026, 1, 5)
    assert internal.timeline.days[-1].day == date(2026, 2, 1)
    assert len(internal.timeline.days) == 28
    assert internal.timeline.total == 5


def test_it_has_no_timeline_without_submissions(consultation):
    internal, partners = by_phase(consultation)
    assert internal.timeline.days == [] and partners.timeline.days == []
    assert partners.timeline.busiest is None


def test_it_keeps_undated_submissions_out_of_the_timeline_only(consultation):
    _, partners = consultation.phases.all()
    submitted(partners, None)
    submitted(partners, at(3))
    _, result = by_phase(consultation)
    assert (result.submitted, result.timeline.total, result.undated) == (2, 1, 1)


def test_it_breaks_responses_down_by_sector_and_organisation_type(network):
    _, partners = by_phase(network)
    sectors = {row.label: row.count for row in partners.by_sector}
    assert sectors == {"Public": 4, "Private": 1, "Voluntary and community": 2, "Academic": 1,
                       "Other": 0, "No organisation": 1}
    types = [(row.label, row.count, row.percent) for row in partners.by_type]
    assert types == [
        ("local authority", 4, 44), ("charity", 2, 22), ("business", 1, 11),
        ("university", 1, 11), ("No organisation", 1, 11),
    ]
    assert partners.records_organisations and not partners.records_roles


def test_it_breaks_an_internal_phase_down_by_role(network):
    internal, _ = by_phase(network)
    assert [(row.label, row.count) for row in internal.by_role] == [
        ("police staff", 3), ("police officer", 1), ("No role given", 1)]
    assert internal.records_roles and not internal.records_organisations


def test_it_builds_the_invitation_funnel(network):
    internal, partners = by_phase(network)
    funnel = partners.funnel
    assert [(s.label, s.count, s.percent) for s in funnel.stages] == [
        ("Invited (sent)", 4, 100), ("Opened the link", 3, 75),
        ("Started a response", 2, 50), ("Submitted", 1, 25),
    ]
    assert funnel.bounced == 1
    # Pat's invitation was never sent; Ola has no email address; Uma unsubscribed.
    assert (funnel.not_invited, funnel.not_invited_without_email,
            funnel.not_invited_unsubscribed) == (3, 1, 1)
    assert internal.funnel.is_empty


def test_it_finds_coverage_gaps_first(network):
    _, partners = by_phase(network)
    assert [item.sentence for item in partners.coverage] == [
        "No response yet from any ambulance service",
        "No response yet from any education organisation",
        "3 of 12 local authorities have responded",
        "All 2 charities have responded",
        "The one university in the audience has responded",
    ]
    gaps = {item.type: item.waiting for item in partners.gaps}
    assert gaps["ambulance service"] == ["Eastvale Ambulance Service",
                                         "Northvale Ambulance Service"]
    assert len(gaps["local authority"]) == 9 and "Borough 1 Council" not in gaps["local authority"]


def test_it_counts_the_invited_organisations_that_responded(network):
    _, partners = by_phase(network)
    # Invited: Eastvale (Dana), Safe Streets (Sam), Boroughs 1 and 2 (Lee, Bo); Pat's was not
    # sent. Responded: Safe Streets and Borough 1.
    share = partners.invited_organisations
    assert (share.count, share.total, share.percent) == (2, 4, 50)
    assert partners.invited_sentence == "2 of 4 invited organisations have responded (50%)."


def test_it_does_not_count_a_draft_as_coverage(consultation):
    _, partners = consultation.phases.all()
    council = org(consultation, "Borough 1 Council", "local authority")
    AudienceMember.objects.create(phase=partners, organisation=council)
    Response.objects.create(phase=partners, organisation=council)
    _, result = by_phase(consultation)
    assert [item.sentence for item in result.coverage] == [
        "No response yet from any local authority"]
    submitted(partners, at(3), council)
    _, result = by_phase(consultation)
    assert [item.sentence for item in result.coverage] == [
        "The one local authority in the audience has responded"]


def test_it_counts_an_organisation_once_whether_listed_itself_or_through_its_people(consultation):
    _, partners = consultation.phases.all()
    council = org(consultation, "Borough 1 Council", "local authority")
    other = org(consultation, "Borough 2 Council", "local authority")
    AudienceMember.objects.create(phase=partners, organisation=council)
    AudienceMember.objects.create(phase=partners,
                                  person=person(consultation, "Lee Park", council, "l@b1.example"))
    AudienceMember.objects.create(phase=partners,
                                  person=person(consultation, "Bo Stone", other, "b@b2.example"))
    submitted(partners, at(3), other)
    _, result = by_phase(consultation)
    assert [item.sentence for item in result.coverage] == [
        "1 of 2 local authorities has responded"]


def test_it_costs_the_same_queries_however_many_responses(network):
    with CaptureQueriesContext(connection) as few:
        monitoring.monitor(network, today=TODAY)
    _, partners = network.phases.all()
    for i in range(30):
        council = org(network, f"Extra Council {i}", "local authority")
        who = person(network, f"Extra {i}", council, f"extra{i}@example.org")
        AudienceMember.objects.create(phase=partners, person=who)
        invite(partners, who, sent_at=at(3), opened_at=at(4))
        submitted(partners, at(5) + timedelta(days=i), council)
        Response.objects.create(phase=partners, organisation=council)
    with CaptureQueriesContext(connection) as many:
        result = monitoring.monitor(network, today=TODAY)
    assert result[1].submitted == 39
    assert len(many.captured_queries) == len(few.captured_queries) <= 10


@pytest.mark.parametrize(("type_", "one", "many"), [
    ("ambulance service", "ambulance service", "ambulance services"),
    ("local authority", "local authority", "local authorities"),
    ("NHS trust", "NHS trust", "NHS trusts"),
    ("business", "business", "businesses"),
    ("Charity", "charity", "charities"),
    ("probation and justice", "probation and justice organisation",
     "probation and justice organisations"),
    ("other", "organisation of another type", "organisations of other types"),
    ("", "organisation with no type recorded", "organisations with no type recorded"),
])
def test_it_words_organisation_types_as_nouns(type_, one, many):
    assert monitoring.type_noun(type_, 1) == one
    assert monitoring.type_noun(type_, 12) == many
