import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from alliance.care.recompute import signals_recompute_all


class Command(BaseCommand):
    help = (
        "Refit the practice's norms (usual alliance changes and gaps, the expected course) from "
        "every client's latest episode, then recompute every client's signals and alerts."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        episodes, signals = signals_recompute_all(now=timezone.now())
        seconds = time.perf_counter() - started
        self.stdout.write(f"{episodes} episodes, {signals} signals, in {seconds:.1f} s.")
