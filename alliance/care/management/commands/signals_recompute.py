import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from alliance.care.engine.nightly import signals_recompute_all


class Command(BaseCommand):
    help = (
        "Recompute every client's signals and alerts from their latest episode, refitting the "
        "practice's norms (a new version) when the current ones are a month old or have moved; "
        "writes only the clients whose decisions changed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        episodes, signals = signals_recompute_all(now=timezone.now())
        seconds = time.perf_counter() - started
        self.stdout.write(f"{episodes} episodes, {signals} signals, in {seconds:.1f} s.")
