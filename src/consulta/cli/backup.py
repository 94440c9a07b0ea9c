"""``consulta backup`` and ``consulta restore``: the whole site in one file and back (ADR 0008).

Unlike ``consulta export`` (consultations as JSON, to move or archive them), a backup keeps
everything: accounts, the audit trail, analysis runs and every outstanding link.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from consulta.cli.common import CommandError, add_command, add_data_dir, setup


def register(commands) -> None:
    backup = add_command(
        commands,
        "backup",
        help="copy the whole database (accounts, audit trail, analyses, links) to one file",
        example="consulta backup --output /srv/backups/consulta-2026-12-02.tar.gz",
        description="Write a consistent copy of the whole database to one file while the site "
        "keeps running: SQLite's\nonline backup API, or pg_dump for PostgreSQL (connection "
        "details from DATABASE_URL). The file\nalso records Consulta's version and the schema, "
        "and is readable by its owner only: it holds\npersonal data, so keep it safe and delete "
        "it when your retention period ends.",
    )
    backup.add_argument("--output", required=True, metavar="FILE", type=Path,
                        help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    add_data_dir(backup)
    backup.set_defaults(handler=run_backup)

    restore = add_command(
        commands,
        "restore",
        help="replace the whole database with a backup's",
        example="consulta restore /srv/backups/consulta-2026-12-02.tar.gz",
        description="Replace the site's database with the one in a backup made by `consulta "
        "backup`, then bring its\nschema up to date. Stop the site and its worker first. A "
        "backup made by a newer version of\nConsulta is refused before anything is changed.",
    )
    restore.add_argument("file", metavar="FILE", type=Path, help="the backup file")
    add_data_dir(restore)
    restore.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    setup(args, migrate=False)
    from consulta.web.privacy.backups import BackupError, write_backup

    try:
        manifest = write_backup(args.output.resolve(), force=args.force)
    except BackupError as error:
        raise CommandError(str(error)) from None
    print(f"Backed up the {manifest['engine']} database to {args.output} "
          f"(Consulta {manifest['consulta_version']}, "
          f"{len(manifest['migrations'])} migrations applied).")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    setup(args, migrate=False)
    from django.core.management import call_command

    from consulta.web.privacy.backups import BackupError, restore_backup

    try:
        manifest = restore_backup(args.file.resolve())
    except BackupError as error:
        raise CommandError(str(error)) from None
    call_command("migrate", interactive=False, verbosity=0)  # an older backup, brought up to date
    print(f"Restored the database from {args.file} (made {manifest['created_at']} by "
          f"Consulta {manifest['consulta_version']}).")
    if manifest.get("secret_key_restored"):
        print("The site's secret key was restored too, so links already sent keep working.")
    return 0
