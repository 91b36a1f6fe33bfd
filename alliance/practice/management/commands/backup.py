from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliance.practice.backups import BackupError, backup_create, manifest_describe


class Command(BaseCommand):
    help = (
        "Write one backup file (.tar.gz) holding the database, MEDIA_ROOT and a manifest; safe "
        "while Alliance runs. It holds clinical records: encrypt it and keep copies off the "
        "machine (docs/operations.md, Backups)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="Where to write it (default: DATA_DIR/backups/alliance-<UTC time>.tar.gz).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup_create(output=options["output"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backup written: {summary.path} ({summary.path.stat().st_size} bytes)\n"
            f"  {manifest_describe(summary.manifest)}.\n"
        )
