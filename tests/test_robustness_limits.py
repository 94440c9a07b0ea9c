"""Limits found under load: draft saves are rate-limited, a title's line break cannot break
an email, and a workbook that would unpack to hundreds of MB is refused before parsing."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from django.core import mail
from django.test import Client

import test_respond_support as support
from consulta import tables as tabular
from consulta.tables import TableError, read_table
from consulta.web.outreach.email import build_receipt
from consulta.web.respond.emails import send_return_link
from consulta.web.responses.models import Answer, Response
from test_respond_support import CLIENT_IP, begin, save, url

# The journey's fixtures, shared (assigned, so pytest finds them here).
fresh_rate_limits = support.fresh_rate_limits
public_phase = support.public_phase
respondent_client = support.respondent_client

# --- Saving a draft's pages is limited per address ------------------------------------------


def test_it_limits_answer_saves_per_address(public_phase, settings):
    settings.CONSULTA_SAVE_RATE = "3/m"
    token = begin(Client(REMOTE_ADDR="198.51.100.1"), public_phase, 3)
    client = Client(REMOTE_ADDR=CLIENT_IP)
    statuses = [save(client, token, 1, f"Draft {n}", revision=n).status_code for n in range(4)]
    assert statuses == [303, 303, 303, 429]
    refused = save(client, token, 1, "Draft 4", revision=3)
    assert "too many attempts" in refused.content.decode()
    assert Answer.objects.get().text == "Draft 2"  # the refused saves wrote nothing
    # Another address is not held back, and about and consent pages count too.
    other = Client(REMOTE_ADDR="198.51.100.3")
    assert save(other, token, 1, "Draft 5", revision=3).status_code == 303
    assert client.post(url("consent-save", token), {"consent": "full"}).status_code == 429


def test_it_allows_a_hundred_and_twenty_saves_a_minute_by_default(public_phase):
    token = begin(Client(REMOTE_ADDR="198.51.100.1"), public_phase, 3)
    client = Client(REMOTE_ADDR=CLIENT_IP)
    statuses = [save(client, token, 2, "x" * 600).status_code for _ in range(121)]
    assert statuses == [400] * 120 + [429]  # refused answers (too long) count as well


def test_it_keeps_saves_and_starts_on_separate_allowances(public_phase, settings):
    settings.CONSULTA_SUBMIT_RATE = "1/m"
    client = Client(REMOTE_ADDR=CLIENT_IP)
    token = begin(client, public_phase, 3)
    assert save(client, token, 1, "Still saving").status_code == 303


# --- A line break in a title never reaches an email header ---------------------------------


@pytest.fixture
def title_with_crlf(public_phase):
    consultation = public_phase.consultation
    consultation.title = "Policing\r\nBcc: everyone@example.org"
    consultation.save()
    return public_phase


def test_it_sends_the_return_link_when_the_title_holds_a_line_break(title_with_crlf, mailoutbox):
    response = Response.objects.create(phase=title_with_crlf)
    send_return_link(response, "secret-token", "me@example.org")
    [message] = mailoutbox
    assert message.subject == "Your link to come back to: Policing Bcc: everyone@example.org"
    assert message.recipients() == ["me@example.org"]
    assert "\r" not in message.message().as_string().split("\n\n")[0].replace("\r\n", "")


def test_it_sends_the_return_link_through_the_journey(title_with_crlf, respondent_client,
                                                      mailoutbox):
    token = begin(respondent_client, title_with_crlf, 3)
    sent = respondent_client.post(url("return-link-send", token), {"email": "me@example.org"})
    assert sent.status_code == 303 and len(mailoutbox) == 1
    assert "\n" not in mailoutbox[0].subject and "\r" not in mailoutbox[0].subject


def test_it_builds_a_one_line_receipt_subject(title_with_crlf):
    response = Response.objects.create(phase=title_with_crlf, reference="ABC123")
    message = build_receipt(response, "me@example.org")
    assert message.subject == "Your response to Policing Bcc: everyone@example.org: ABC123"
    message.message()  # would raise BadHeaderError on a line break
    assert len(mail.outbox) == 0


# --- A workbook that unpacks to hundreds of MB is refused before parsing --------------------

MB = 1024 * 1024


def workbook_bomb(sheet_bytes: int) -> bytes:
    """A .xlsx-shaped zip whose one sheet is ``sheet_bytes`` of repeated bytes (deflated ~1000
    times smaller), written in 1 MB pieces so the test holds little in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            piece = b"<" * MB
            for _ in range(sheet_bytes // MB):
                sheet.write(piece)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return workbook_bomb(300 * MB)


def test_it_refuses_a_300_mb_workbook_before_parsing(bomb):
    assert len(bomb) < MB  # small enough to pass the upload limit
    started = time.monotonic()
    with pytest.raises(TableError, match=r"unpacks to 300 MB, more than the 100 MB"):
        read_table(bomb, "network.xlsx", 20 * MB)
    assert time.monotonic() - started < 1


def test_it_refuses_a_part_that_expands_like_no_table(monkeypatch):
    # Under the total: only the ratio gives it away.
    with pytest.raises(TableError, match=r"sheet1.xml unpacks to 5 MB from 0"):
        read_table(workbook_bomb(5 * MB), "network.xlsx", 20 * MB)


def test_it_never_opens_the_refused_workbook(bomb, monkeypatch):
    import openpyxl

    def fail(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", fail)
    with pytest.raises(TableError, match="unpacks to"):
        read_table(bomb, "network.xlsx", 20 * MB)


def test_it_lowers_the_total_with_a_lower_upload_limit():
    limit = 4 * MB  # ten times: 40 MB
    assert min(tabular.XLSX_EXPANSION_LIMIT * limit, tabular.XLSX_MAX_UNPACKED_BYTES) == 40 * MB
    with pytest.raises(TableError, match="more than the 40 MB"):
        read_table(workbook_bomb(50 * MB), "network.xlsx", limit)


def test_it_reads_only_the_cells_a_sheet_holds_whatever_its_dimension_says():
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["organisation", "sector"])
    book.active.append(["Safe Streets Trust", "voluntary"])
    buffer = io.BytesIO()
    book.save(buffer)
    # Claim the sheet spans every row and column Excel allows: openpyxl would pad to it.
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    lied = io.BytesIO()
    with zipfile.ZipFile(lied, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes it with or without a space before "/>" (lxml or not).
                data = re.sub(rb'<dimension ref="A1:B2"\s*/>',
                              b'<dimension ref="A1:XFD1048576" />', data)
                assert b"XFD1048576" in data
            archive.writestr(info.filename, data)
    # Padded, 40,000 rows would be 655 million cells; read, they are what the file holds.
    assert [len(row) for row in tabular._xlsx_rows(lied.getvalue(), 20 * MB)] == [2, 2]
    table = read_table(lied.getvalue(), "network.xlsx", 20 * MB)
    assert [row.cells for row in table.rows] == [
        {"organisation": "Safe Streets Trust", "sector": "voluntary"}]
