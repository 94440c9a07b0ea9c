"""Run by test_anonymity_on_disk.py in its own process, against a real SQLite file.

Usage: python anonymity_disk_driver.py DATA_DIR OUT_DIR

An invited partner of an anonymous phase drafts a response with a colleague; ``consulta export``
runs in another process while the draft is open; then the response is submitted. While this
process still holds the database open (so the ``-wal`` file is as a backup would find it), the
database files are copied to OUT_DIR, with ``needles.json``: what must not be in them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

DATA_DIR, OUT_DIR = Path(sys.argv[1]), Path(sys.argv[2])
os.environ["CONSULTA_DATA_DIR"] = str(DATA_DIR)
os.environ["CONSULTA_ALLOWED_HOSTS"] = "testserver"
os.environ.pop("DATABASE_URL", None)
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client

from conftest import make_consultation
from consulta.web.consultations.models import Phase
from consulta.web.responses.models import DraftAccess, Response
from consulta.web.stakeholders.models import Person
from test_respond_support import begin_invited, invite, save, token_in, url

SAYS = ("Handovers at the hospital door take hours.", "Share the call data with us.")


def raw(sql: str) -> list[str]:
    """Values exactly as SQLite stores them (datetimes as text, to the microsecond)."""
    with connection.cursor() as cursor:
        return [str(value) for (value,) in cursor.execute(sql).fetchall()]


def main() -> None:
    call_command("migrate", verbosity=0)
    consultation = make_consultation("policing-a", "Policing A")
    phase = consultation.phases.get(position=2)
    phase.anonymity = Phase.Anonymity.ANONYMOUS
    phase.save()
    dana = Person.objects.get(name="Dana Okafor")
    _, invitation_token = invite(phase, dana)
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.get(f"/i/{invitation_token}/")
    token = begin_invited(client, invitation_token)
    save(client, token, 1, SAYS[0])
    client.post(url("about-save", token), {
        "organisation": "Eastvale Ambulance Service", "sector": "public", "on_behalf": "yes"})
    shared = client.post(url("share", token))
    colleague_token = token_in(shared.content.decode().split('id="shared-link">')[1])
    save(Client(REMOTE_ADDR="203.0.113.77"), colleague_token, 2, SAYS[1])

    needles = {
        "draft reference": Response.objects.get().reference,
        **{f"draft link {n}": h for n, h in
           enumerate(DraftAccess.objects.values_list("token_hash", flat=True))},
        **{f"answer saved at {n}": t for n, t in
           enumerate(raw("SELECT updated_at FROM responses_answer"))},
        **{f"link made at {n}": t for n, t in
           enumerate(raw("SELECT created_at FROM responses_draftaccess"))},
    }
    # A backup-minded organiser exports while the draft is open.
    subprocess.run(
        [sys.executable, "-m", "consulta", "export", "--consultation", "policing-a",
         "--output", str(OUT_DIR / "during.json"), "--data-dir", str(DATA_DIR)],
        check=True, env=os.environ.copy(), capture_output=True,
    )
    client.post(url("consent-save", token), {"consent": "anonymous"})
    assert client.post(url("submit", token)).status_code == 303
    for name in ("consulta.sqlite3", "consulta.sqlite3-wal"):
        if (DATA_DIR / name).exists():  # copied while this process holds the database open
            shutil.copyfile(DATA_DIR / name, OUT_DIR / name)
    reference = Response.objects.get().reference
    (OUT_DIR / "needles.json").write_text(json.dumps({"needles": needles,
                                                       "reference": reference}))


if __name__ == "__main__":
    main()
