"""The code frame: exported as the library reads it, imported all or nothing."""

from __future__ import annotations

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consulta.analysis.codebook import read_code_frame
from consulta.web.analysis.models import AnalysisRun, Theme
from consulta.web.workbench import frame
from consulta.web.workbench.models import Decision
from workbench_data import finished_run, signed_in

HEADER = "question,theme,label,description,parent\n"


@pytest.fixture
def run(consultation):
    return finished_run(consultation)


def export(client, kind="csv"):
    return client.get(reverse("workbench:frame-export", args=["policing-a", kind]))


def upload(client, run, data: bytes | str, name="frame.csv", follow=True, **extra):
    data = data.encode() if isinstance(data, str) else data
    return client.post(reverse("workbench:frame-import", args=["policing-a"]), {
        "run": run.pk, "file": SimpleUploadedFile(name, data), **extra}, follow=follow)


def themes(run) -> dict:
    return {(t.question.key, t.key): (t.label, t.description, t.parent.key if t.parent else "",
                                      t.size)
            for t in Theme.objects.filter(run=run).select_related("question", "parent")}


def test_it_exports_every_questions_themes_as_the_library_reads_them(run, analyst, tmp_path):
    response = export(signed_in(analyst))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="policing-a-code-frame.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["question"], r["theme"], r["label"]) for r in rows] == [
        ("phase 1: challenges", "t01", "Staffing"), ("phase 2: trust", "t01", "About patrols"),
        ("phase 2: trust", "t02", "About schools"), ("phase 2: trust", "t03", "About data")]
    workbook = export(signed_in(analyst), "xlsx")
    (tmp_path / "frame.xlsx").write_bytes(workbook.content)
    read = read_code_frame(tmp_path / "frame.xlsx")
    assert [(c.question, c.theme, c.description) for c in read][1] == (
        "phase 2: trust", "t01", "Answers about patrols.")


def test_it_renames_and_creates_themes_from_a_frame_and_can_undo_it(run, analyst, organiser):
    before = themes(run)
    client = signed_in(analyst)
    text = export(client).content.decode("utf-8-sig")
    text = text.replace("About patrols", "Night patrols") + (
        "phase 2: trust,t04,Neighbourhood officers,Officers people know by name.,t01\n"
        "trust,t05,,,\n")  # a key alone names the question where no other phase has it
    page = upload(client, run, text)
    assert "Code frame imported: trust: renamed 1, created 2" in page.content.decode()
    now = themes(run)
    assert now[("trust", "t01")][0] == "Night patrols"
    assert now[("trust", "t04")] == ("Neighbourhood officers", "Officers people know by name.",
                                     "t01", 0)
    assert now[("trust", "t05")] == ("t05", "", "", 0)
    assert now[("challenges", "t01")] == before[("challenges", "t01")]
    decision = Decision.objects.get()
    assert decision.action == Decision.Action.IMPORT and decision.question.key == "trust"
    entry = LogEntry.objects.filter(additional_data__event__action="import").get()
    assert entry.actor == analyst and "Night" not in str(entry.additional_data)
    undo = reverse("workbench:undo", args=["policing-a", decision.question_id, decision.pk])
    assert client.post(undo, {"run": run.pk, "version": decision.pk}).status_code == 302
    assert themes(run) == before


def test_it_imports_a_workbook_and_changes_nothing_when_the_frame_already_fits(run, analyst,
                                                                              tmp_path):
    client = signed_in(analyst)
    page = upload(client, run, export(client, "xlsx").content, name="frame.xlsx")
    assert "the themes already match it" in page.content.decode()
    assert not Decision.objects.exists()


BAD = {
    "unknown question": (HEADER + "phase 9: nowhere,t01,Lost,,\n",
                         "there is no text question “phase 9: nowhere”"),
    "duplicate theme": (HEADER + "phase 2: trust,t01,A,,\nphase 2: trust,t01,B,,\n",
                        "has theme 't01' twice"),
    "bad parent": (HEADER + "phase 2: trust,t01,A,,t09\n", "parent 't09', which is not"),
    "parent loop": (HEADER + "phase 2: trust,t01,A,,t02\nphase 2: trust,t02,B,,t01\n",
                    "go round in a loop"),
    "no theme column": ("question,label\nphase 2: trust,A\n", "no column “theme”"),
    "no theme id": (HEADER + "phase 2: trust,,A label,,\n", "Row 2 has no theme id"),
    "too long": (HEADER + "phase 2: trust,t01," + "x" * 201 + ",,\n", "longer than 200"),
    "wrong encoding": (b"theme,label\nt01,\x81\x8d\x90\n", "text encoding is not one"),
    "empty": (b"", "The file is empty"),
    "not a workbook": ("question,theme\n", "frame.xlsx"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_it_refuses_a_bad_frame_whole_and_loses_nothing(run, organiser, case):
    data, message = BAD[case]
    before = themes(run)
    name = "frame.xlsx" if case == "not a workbook" else "frame.csv"
    page = upload(signed_in(organiser), run, data, name=name)
    html = page.content.decode()
    assert page.redirect_chain[-1] == (reverse("workbench:frame", args=["policing-a"]), 302)
    assert "Nothing was imported" in html
    if case != "not a workbook":
        assert message.replace("'", "&#x27;") in html
    assert "Traceback" not in html
    assert themes(run) == before and not Decision.objects.exists()


def test_it_refuses_a_file_over_the_limit_before_reading_it(run, organiser, monkeypatch):
    monkeypatch.setattr(frame, "MAX_BYTES", 100)
    page = upload(signed_in(organiser), run, HEADER + "phase 2: trust,t01,A,,\n" * 10)
    assert "over the limit of" in page.content.decode() and not Decision.objects.exists()


def test_it_keeps_the_frame_to_members_and_the_latest_analysis(run, analyst, outsider,
                                                               consultation):
    client = signed_in(outsider)
    assert client.get(reverse("workbench:frame", args=["policing-a"])).status_code == 404
    assert export(client).status_code == 404
    assert upload(client, run, HEADER, follow=False).status_code == 404
    member = signed_in(analyst)
    assert member.get(reverse("workbench:frame-import", args=["policing-a"])).status_code == 405
    assert export(member, "pdf").status_code == 404
    AnalysisRun.objects.create(consultation=consultation, finished_at=timezone.now(),
                               status=AnalysisRun.Status.DONE)
    stale = upload(member, run, HEADER + "phase 2: trust,t01,Stale,,\n", follow=False)
    assert stale.status_code == 403 and not Theme.objects.filter(label="Stale").exists()


def test_it_says_there_is_nothing_to_export_before_an_analysis(consultation, organiser):
    client = signed_in(organiser)
    page = client.get(reverse("workbench:frame", args=["policing-a"]))
    assert page.status_code == 200 and "No finished analysis yet" in page.content.decode()
    assert export(client).status_code == 404
