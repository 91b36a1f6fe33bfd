from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliance.care.data_rights import ClientUnknown, client_by_uuid, client_erase


class Command(BaseCommand):
    help = (
        "Erase a client's personal data: name, contact details and free text go; the clinical "
        "record stays, anonymised, for the retention period (docs/security.md, Data rights). "
        "Export first (client_export) if the client asked for a copy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "client", help="The client's id: the UUID in the client page's address."
        )
        parser.add_argument("--yes", action="store_true", help="Confirm: erasure cannot be undone.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            client = client_by_uuid(options["client"])
        except ClientUnknown as unknown:
            raise CommandError(str(unknown)) from None
        if not options["yes"]:
            raise CommandError(
                f"Erasing client {client.uuid} cannot be undone; run again with --yes to do it."
            )
        client_erase(client=client)
        self.stdout.write(
            f"Client {client.uuid} erased; their clinical record is kept, anonymised."
        )
