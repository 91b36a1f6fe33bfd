from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliance.practice.backups import BackupError, backup_restore, manifest_describe


class Command(BaseCommand):
    help = (
        "Restore a file that `manage.py backup` wrote into the database DATABASE_URL names and "
        "into MEDIA_ROOT. Stop the web server and worker first. The file is checked before "
        "anything changes, and a database or media folder that holds data is replaced only "
        "with --yes."
    )
    # Django's model checks open the database, which creates an empty SQLite file: a refused
    # restore must leave no trace, and the database it fills may not exist yet.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The backup file (.tar.gz).")
        parser.add_argument(
            "--yes", action="store_true", help="Replace a database and media that hold data."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup_restore(archive=options["archive"], replace=options["yes"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = summary.manifest
        self.stdout.write(
            f"Restored the backup made {manifest['created_at']} (Alliance "
            f"{manifest['alliance_version']}) into {summary.database} and {summary.media_root}:\n"
            f"  {manifest_describe(manifest)}; every row count checked.\n"
        )
        if summary.media_set_aside:
            self.stdout.write(
                f"The media folder that was there is kept at {summary.media_set_aside}; "
                "delete it once you are satisfied.\n"
            )
        if summary.migrations_to_apply:
            self.stdout.write(
                f"This code has {summary.migrations_to_apply} migrations the backup predates: "
                "run `python manage.py migrate` before starting Alliance.\n"
            )
