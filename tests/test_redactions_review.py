"""Personal data in answers is reviewed before anything is published (issue 11, item 3).

Alice organises the consultation; services.redacted is what reports and published responses
use to get an answer's words.
"""

from __future__ import annotations

import pytest

from consulta.web.redactions import services
from consulta.web.redactions.models import Redaction
from consulta.web.responses.models import Response
from redaction_data import CLEAN_TEXT, TRUST_TEXT, answer

pytestmark = pytest.mark.django_db


def decide_all(a, status, **changes):
    for row in a.redactions.all():
        row.status = status
        for field, value in changes.items():
            setattr(row, field, value)
        row.save()


def test_it_needs_no_review_for_a_text_without_personal_data(consultation):
    a = answer(consultation, CLEAN_TEXT)
    assert services.redacted(a, CLEAN_TEXT) == CLEAN_TEXT
    assert services.pending_count(consultation) == 0


def test_it_holds_back_a_text_until_every_finding_is_decided(consultation):
    a = answer(consultation, TRUST_TEXT)
    assert services.redacted(a, TRUST_TEXT) is None
    assert services.pending_count(consultation) == 3  # before any scan, too
    report = services.scan(consultation)
    assert (report.answers, report.proposed) == (1, 3)
    assert services.pending_count(consultation) == 3
    assert services.redacted(a, TRUST_TEXT) is None
    first = a.redactions.first()
    first.status = Redaction.Status.APPROVED
    first.save()
    assert services.redacted(a, TRUST_TEXT) is None
    assert services.pending_count(consultation) == 2


def test_it_publishes_the_redacted_text_after_approval(consultation):
    a = answer(consultation, TRUST_TEXT)
    services.scan(consultation)
    decide_all(a, Redaction.Status.APPROVED)
    assert services.redacted(a, TRUST_TEXT) == (
        "Officers should visit more often. Ask for [name] at the centre, "
        "or email [email]. We meet near [postcode] on Tuesdays.")
    assert services.pending_count(consultation) == 0


def test_it_publishes_the_original_after_rejection(consultation):
    a = answer(consultation, TRUST_TEXT)
    services.scan(consultation)
    decide_all(a, Redaction.Status.REJECTED, reason="Public figure")
    assert services.redacted(a, TRUST_TEXT) == TRUST_TEXT


def test_it_redacts_a_passage_cut_from_the_answer_with_ellipses(consultation):
    a = answer(consultation, TRUST_TEXT)
    services.scan(consultation)
    passage = "… Ask for Gloria Mensah at the centre, or email gloria.mensah@example.org. …"
    clean = "… Officers should visit more often. …"
    assert services.redacted(a, clean) == clean  # nothing in it to review
    assert services.redacted(a, passage) is None
    decide_all(a, Redaction.Status.APPROVED)
    assert services.redacted(a, passage) == "… Ask for [name] at the centre, or email [email]. …"


def test_it_refuses_words_that_are_not_the_answers_when_they_hold_personal_data(consultation):
    a = answer(consultation, CLEAN_TEXT)
    assert services.redacted(a, "Call Gloria Mensah on 020 7946 0321") is None
    assert services.redacted(a, "Something else entirely.") == "Something else entirely."


def test_it_scans_again_without_losing_decisions(consultation):
    a = answer(consultation, TRUST_TEXT)
    services.scan(consultation)
    decide_all(a, Redaction.Status.REJECTED, reason="Public figure")
    again = services.scan(consultation)
    assert (again.proposed, again.kept, again.stale) == (0, 3, 0)
    assert a.redactions.count() == 3
    assert set(a.redactions.values_list("status", flat=True)) == {"rejected"}


def test_it_marks_decisions_stale_when_the_answer_changes(consultation):
    a = answer(consultation, TRUST_TEXT)
    services.scan(consultation)
    decide_all(a, Redaction.Status.APPROVED)
    a.text = "Briefly: " + TRUST_TEXT  # every span moved: decisions follow their words
    a.save()
    assert services.redacted(a, a.text) is None  # offsets no longer hold until a scan
    report = services.scan(consultation)
    assert (report.proposed, report.stale) == (0, 0)
    assert services.redacted(a, a.text).startswith("Briefly: Officers")
    a.text = TRUST_TEXT.replace("Gloria Mensah", "Kwame Boateng")
    a.save()
    report = services.scan(consultation)
    assert (report.proposed, report.stale) == (1, 1)
    assert a.redactions.filter(stale=True).count() == 1
    assert services.redacted(a, a.text) is None
    assert services.pending_count(consultation) == 1


def test_it_only_scans_answers_that_may_be_published(consultation):
    answer(consultation, TRUST_TEXT, consent=Response.Consent.NONE)
    answer(consultation, TRUST_TEXT, status=Response.Status.DRAFT)
    answer(consultation, TRUST_TEXT, consent=Response.Consent.ANONYMOUS)
    assert services.scan(consultation).answers == 1
    assert services.pending_count(consultation) == 3
