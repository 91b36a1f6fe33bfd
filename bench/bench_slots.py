"""How long free_slots takes for a whole practice: 50 therapists over 60 days.

Run from the repository root: `.venv/bin/python bench/bench_slots.py` (add --cold to also time
runs with the zone memo cleared). Prints the median and p95 milliseconds of the full computation
and the number of slots; exits 1 when the median misses the 50 ms target.
"""

import argparse
import random
import statistics
import sys
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# Run as a script, Python puts bench/ on the path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alliance.scheduling import Interval, SlotRules, WeeklyHours, free_slots
from alliance.scheduling.wallclock import local_days

THERAPISTS = 50
DAYS = 60
TARGET_MS = 50.0
# A range that crosses the US spring-forward change (2026-03-08), so the careful path runs too.
FIRST_DAY = date(2026, 2, 16)
NOW = datetime(2026, 2, 15, 17, 30, tzinfo=UTC)
ZONES = ["America/New_York"] * 6 + ["America/Chicago"] * 2 + ["America/Los_Angeles"] * 2


@dataclass(frozen=True)
class Therapist:
    zone: ZoneInfo
    hours: list[WeeklyHours]
    busy: list[Interval]
    unavailable: list[Interval]
    rules: SlotRules


def _quarter(rng: random.Random, low_hour: int, high_hour: int) -> time:
    minutes = rng.randrange(low_hour * 4, high_hour * 4 + 1) * 15
    return time(minutes // 60, minutes % 60)


def _shift(value: time, minutes: int) -> time:
    total = value.hour * 60 + value.minute + minutes
    return time(total // 60, total % 60)


def make_therapist(rng: random.Random) -> Therapist:
    zone = ZoneInfo(rng.choice(ZONES))
    weekdays = rng.choice([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5], [0, 1, 2, 3, 5]])
    in_person_or_not = rng.choice(["in_person", "in_person", "telehealth"])
    hours: list[WeeklyHours] = []
    for weekday in weekdays:
        morning = _quarter(rng, 8, 9)
        afternoon = _quarter(rng, 13, 14)
        hours.append(
            WeeklyHours(weekday, morning, _shift(morning, rng.choice([180, 210, 240])), "in_person")
        )
        hours.append(
            WeeklyHours(
                weekday, afternoon, _shift(afternoon, rng.choice([180, 210, 240])), in_person_or_not
            )
        )
    if rng.random() < 0.4:  # telehealth-only evenings on a couple of days
        for weekday in rng.sample(weekdays, 2):
            hours.append(WeeklyHours(weekday, time(18), time(20, 30), "telehealth"))

    busy: list[Interval] = []
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        windows = [row for row in hours if row.weekday == day.weekday()]
        if not windows:
            continue
        for _ in range(rng.randint(2, 4)):
            row = rng.choice(windows)
            span = (row.end.hour * 60 + row.end.minute) - (row.start.hour * 60 + row.start.minute)
            start_minute = rng.randrange(0, span - 50 + 1, 15)
            local = datetime.combine(day, _shift(row.start, start_minute), zone)
            start = local.astimezone(UTC)
            busy.append(Interval(start, start + timedelta(minutes=50 + 10)))

    unavailable: list[Interval] = []
    for _ in range(rng.randint(1, 3)):
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        start = datetime.combine(day, time(rng.choice([0, 9, 13])), zone).astimezone(UTC)
        unavailable.append(Interval(start, start + timedelta(hours=rng.choice([4, 24, 72]))))

    rules = SlotRules(
        duration=timedelta(minutes=15),
        buffer_after=timedelta(minutes=rng.choice([0, 5])),
        min_notice=timedelta(hours=24),
        horizon=timedelta(days=60),
        increment=timedelta(minutes=15),
    )
    return Therapist(zone, hours, busy, unavailable, rules)


def practice() -> list[Therapist]:
    # Seeded so every run times the same practice; nothing here is secret.
    rng = random.Random(20260216)  # noqa: S311
    return [make_therapist(rng) for _ in range(THERAPISTS)]


def compute(therapists: list[Therapist]) -> int:
    last_day = FIRST_DAY + timedelta(days=DAYS - 1)
    total = 0
    for therapist in therapists:
        total += len(
            free_slots(
                hours=therapist.hours,
                zone=therapist.zone,
                busy=therapist.busy,
                unavailable=therapist.unavailable,
                rules=therapist.rules,
                first_day=FIRST_DAY,
                last_day=last_day,
                now=NOW,
            )
        )
    return total


def timed(run: Callable[[], object], repetitions: int, before: Callable[[], None]) -> list[float]:
    timings: list[float] = []
    for _ in range(repetitions):
        before()
        started = clock.perf_counter()
        run()
        timings.append((clock.perf_counter() - started) * 1000)
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=30)
    parser.add_argument("--cold", action="store_true", help="also time with the zone memo cleared")
    options = parser.parse_args()

    therapists = practice()
    slots = compute(therapists)  # warm-up: imports, the zone memo, the allocator
    warm = timed(lambda: compute(therapists), options.repetitions, lambda: None)
    median = statistics.median(warm)
    print(f"{THERAPISTS} therapists x {DAYS} days: {slots} slots")
    print(f"median {median:.1f} ms, p95 {p95(warm):.1f} ms over {options.repetitions} runs")
    if options.cold:
        cold = timed(lambda: compute(therapists), options.repetitions, local_days.cache_clear)
        print(f"zone memo cleared each run: median {statistics.median(cold):.1f} ms")
    if median > TARGET_MS:
        print(f"FAIL: the median exceeds the {TARGET_MS:.0f} ms target")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
