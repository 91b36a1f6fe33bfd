from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from alliance.care.alerts import alerts_escalate


class Command(BaseCommand):
    help = (
        "Send open risk alerts past their working-hours deadline to the owners (a safety net "
        "for cron; the worker does this on time)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = alerts_escalate(now=timezone.now())
        self.stdout.write(f"{sent} risk alert(s) escalated.")
