"""Sixteen processes book the same and overlapping times at the same instant: exactly one wins
each contested span, every loser is told "just taken", and the database never holds an overlap.
Runs against whichever database the suite uses (SQLite locally and in CI, PostgreSQL in CI)."""

import multiprocessing
from collections import Counter
from itertools import pairwise

import pytest
from django.db import connections

from alliance.booking.models import Appointment
from tests.booking.fixtures import bookable_therapist, consultation_type, local
from tests.booking.racer import book

PROCESSES = 16


@pytest.mark.django_db(transaction=True)
def test_sixteen_simultaneous_bookers_never_double_book() -> None:
    bookable_therapist()
    consultation_type()
    same = local(3, 10)  # eight processes want exactly this
    early, late = local(3, 14), local(3, 14, 15)  # 14:00 blocks until 14:20: these overlap
    targets = [same] * 8 + [early] * 4 + [late] * 4
    assert len(targets) == PROCESSES
    database = connections["default"].settings_dict["NAME"]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results: multiprocessing.Queue[tuple[str, str]] = context.Queue()
    workers = [
        context.Process(target=book, args=(database, barrier, results, index, start))
        for index, start in enumerate(targets)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=90) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert [outcome for _, outcome in outcomes if outcome.startswith("error")] == []
    booked = Counter(start for start, outcome in outcomes if outcome == "booked")
    assert booked[same.isoformat()] == 1
    assert booked[early.isoformat()] + booked[late.isoformat()] == 1
    assert sum(1 for _, outcome in outcomes if outcome == "taken") == PROCESSES - 2
    spans = sorted(Appointment.objects.active().values_list("start", "blocked_until"))
    assert len(spans) == 2
    assert all(earlier[1] <= later[0] for earlier, later in pairwise(spans))
