import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliance.care.data_rights import ClientUnknown, client_by_uuid, client_export


class Command(BaseCommand):
    help = (
        "Write everything held about one client as one JSON document (with their FHIR bundle), "
        "to stdout or --output. The export is recorded in the read audit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "client", help="The client's id: the UUID in the client page's address."
        )
        parser.add_argument("--output", type=Path, help="Write to this file instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            client = client_by_uuid(options["client"])
        except ClientUnknown as unknown:
            raise CommandError(str(unknown)) from None
        output: Path | None = options["output"]
        text = json.dumps(client_export(client=client, request=None), indent=2, ensure_ascii=False)
        if output is None:
            self.stdout.write(text)
            return
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Could not write {output}: {error.strerror}.") from None
        self.stderr.write(f"Client {client.uuid} exported to {output}.")
