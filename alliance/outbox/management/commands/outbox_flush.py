from typing import Any

from django.core.management.base import BaseCommand

from alliance.outbox.sending import outbox_flush


class Command(BaseCommand):
    help = (
        "Send the e-mails that are due. The worker does this on its own; run it from "
        "cron as a safety net, and after restoring from a crash."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = outbox_flush()
        self.stdout.write(f"{sent} message{'s' if sent != 1 else ''} sent.")
