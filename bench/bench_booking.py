"""Booking under contention: 50 bookers at once on PostgreSQL, many wanting the same times.

Run from the repository root (docs/performance.md has the figures and what they mean):

    .venv/bin/python bench/bench_booking.py [--bookers 50] [--per-booker 20]
        [--database-url postgres://postgres@127.0.0.1:5432/alliance_bench] [--keep]
        [--think-ms 0] [--profile]

It drops and creates the database named in the URL (so never point it at one you keep), migrates
it, and builds a seeded practice: 10 therapists with hours 8:00-20:00 every day in both formats,
the standard appointment types, zone America/New_York. Then it starts the bookers as separate
processes ("spawn", each setting up Django itself as a web worker would; threads would share one
GIL and measure Python queueing, not the service). Each makes one untimed booking and one
untimed "taken" on a therapist of its own (a worker that has served requests before), then all
are released together by a barrier and each times its calls to `appointment_book_for_visitor`
with `time.perf_counter()`, back to back unless --think-ms asks for pauses. The times are drawn
from a skewed distribution: 40% from a small hot set of adjacent quarter-hours, so many attempts
race for the same or overlapping spans, the rest spread over six weeks.

Prints outcomes (booked / taken, and how many "taken" came from the exclusion constraint rather
than the service's own check), throughput, CPU and SQL statements per attempt, latency
median/p95/p99/max for all attempts, per outcome and without each booker's first attempt (the
burst at the barrier). Then checks with SQL that no therapist holds two overlapping active
appointments, that no losing attempt left a client record behind and that every appointment has
its confirmation in the outbox. Exits 1 when the p95 of all attempts is 100 ms or more, on any
error, on any overlap or mismatch; drops the database unless --keep.

Settings as in production where they matter: DEBUG off, one persistent connection per booker.
Django is imported only inside functions that run after DATABASE_URL is set: the settings read
the environment when they are imported, and every spawned booker imports this module again.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import multiprocessing
import os
import pstats
import queue
import random
import secrets
import statistics
import sys
import time as clock
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

# Run as a script, Python puts bench/ on the path, not the repository root.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 100.0
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/alliance_bench"
ZONE = ZoneInfo("America/New_York")
SEED = 20260216
THERAPISTS = 10
FIRST_DAY_AHEAD = 2  # clear of the consultation's 24 hours' notice
DAYS = 42  # well inside its 60-day horizon
HOT_SHARE = 0.4
# The hot set: 3 therapists x 2 days x 6 adjacent quarter-hours. A consultation is 15 minutes
# plus 5 of buffer, so 17:00 and 17:15 overlap: at most 3 of each 6 can be booked.
HOT_THERAPISTS = 3
HOT_DAYS = 2
HOT_MINUTES = [17 * 60 + 15 * step for step in range(6)]
OPEN_MINUTE, LAST_START_MINUTE = 8 * 60, 19 * 60 + 45
FORMATS = ("in_person", "telehealth")
ACTIVE = ("proposed", "pending", "booked", "arrived", "fulfilled", "noshow")
WARMUP_SLUG = "warm-up"

# (therapist slug, start, format)
Attempt = tuple[str, datetime, str]


@dataclass
class BookerResult:
    index: int
    started: float = 0.0  # perf_counter (CLOCK_MONOTONIC, shared by all processes on Linux)
    ended: float = 0.0
    outcomes: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    races: int = 0  # attempts refused by the exclusion constraint itself
    queries: list[int] = field(default_factory=list)  # SQL statements per attempt
    python_cpu: float = 0.0  # seconds of CPU this booker's process used while timed
    database_cpu: float = -1.0  # the same for its PostgreSQL backend; -1 when not on this host
    fatal: str = ""
    profile: str = ""


def therapist_slug(number: int) -> str:
    return f"bench-{number:02d}"


def local(today: date, days_ahead: int, minute: int) -> datetime:
    day = today + timedelta(days=days_ahead)
    return datetime.combine(day, time(minute // 60, minute % 60), ZONE)


def plan(bookers: int, per_booker: int, today: date) -> list[list[Attempt]]:
    """Every booker's attempts, the same for a given date (seeded; nothing here is secret)."""
    rng = random.Random(SEED)  # noqa: S311
    numbers = list(range(THERAPISTS))
    hot_therapists = rng.sample(numbers, HOT_THERAPISTS)
    hot_days = rng.sample(range(FIRST_DAY_AHEAD, FIRST_DAY_AHEAD + DAYS), HOT_DAYS)
    hot = [(t, d, m) for t in hot_therapists for d in hot_days for m in HOT_MINUTES]
    plans: list[list[Attempt]] = []
    for _ in range(bookers):
        attempts: list[Attempt] = []
        for _ in range(per_booker):
            if rng.random() < HOT_SHARE:
                number, days_ahead, minute = rng.choice(hot)
            else:
                number = rng.choice(numbers)
                days_ahead = rng.randrange(FIRST_DAY_AHEAD, FIRST_DAY_AHEAD + DAYS)
                minute = rng.randrange(OPEN_MINUTE, LAST_START_MINUTE + 1, 15)
            start = local(today, days_ahead, minute)
            attempts.append((therapist_slug(number), start, rng.choice(FORMATS)))
        plans.append(attempts)
    return plans


# --- the database -------------------------------------------------------------------------------


def maintenance_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"give the database a plain name (letters, digits, _), not {name!r}")
    return urlunsplit(parts._replace(path="/postgres")), name


def database_recreate(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    admin, name = maintenance_url(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "alliance.settings"
    # As in production: DEBUG off (no query log kept per connection). Logging at WARNING keeps
    # one "booked" line per attempt off the terminal; the errors still show.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def practice_build() -> None:
    from alliance.booking.defaults import appointment_types_ensure
    from alliance.booking.models import WorkingHours
    from alliance.practice.models import Practice, Therapist

    Practice.objects.update_or_create(
        pk=1, defaults={"time_zone": ZONE.key, "email": "desk@example.com"}
    )
    appointment_types_ensure()
    for slug in [*map(therapist_slug, range(THERAPISTS)), WARMUP_SLUG]:
        therapist = Therapist.objects.create(slug=slug, name=f"Therapist {slug}", bio="Hi")
        WorkingHours.objects.bulk_create(
            WorkingHours(
                therapist=therapist, weekday=weekday, start=time(8), end=time(20), format=format
            )
            for weekday in range(7)
            for format in FORMATS
        )


OVERLAPS_SQL = f"""
    SELECT count(*) FROM booking_appointment AS a
    JOIN booking_appointment AS b
      ON a.therapist_id = b.therapist_id AND a.id < b.id
     AND tstzrange(a.start, a.blocked_until, '[)') && tstzrange(b.start, b.blocked_until, '[)')
    WHERE a.status IN {ACTIVE} AND b.status IN {ACTIVE}
"""  # noqa: S608 (constants only)
COUNTS_SQL = f"""
    SELECT
      (SELECT count(*) FROM booking_appointment AS a JOIN practice_therapist AS t
         ON t.id = a.therapist_id WHERE t.slug <> '{WARMUP_SLUG}'),
      (SELECT count(*) FROM clients_client AS c
         WHERE NOT EXISTS (SELECT 1 FROM booking_appointment AS a WHERE a.client_id = c.id)),
      (SELECT count(*) FROM outbox_message),
      (SELECT count(*) FROM booking_appointment AS a WHERE NOT EXISTS (
         SELECT 1 FROM booking_bookingmessage AS b JOIN outbox_message AS m ON m.id = b.message_id
         WHERE b.appointment_id = a.id AND m.kind = 'confirmation'))
"""  # noqa: S608 (constants only)


def verify() -> tuple[int, int, int, int, int]:
    """Overlapping pairs, appointments booked in the run, clients left without an appointment,
    outbox rows, and appointments without a confirmation in the outbox."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL)
        (overlaps,) = cursor.fetchone()
        cursor.execute(COUNTS_SQL)
        appointments, orphans, messages, unconfirmed = cursor.fetchone()
    return overlaps, appointments, orphans, messages, unconfirmed


# --- one booker (a spawned process) -------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a PostgreSQL backend on this host, or -1 when it is not."""
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
            return -1.0
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def booker(
    url: str,
    index: int,
    attempts: list[Attempt],
    barrier: Barrier,
    results: multiprocessing.Queue[dict[str, Any]],
    profile: bool,
    think_ms: float,
) -> None:
    result = BookerResult(index=index)
    try:
        django_setup(url)
        from django.db import IntegrityError, connection, connections

        import alliance.booking.appointments as appointments
        from alliance.booking.appointments import SlotTaken, appointment_book_for_visitor
        from alliance.booking.models import AppointmentType
        from alliance.practice.models import Therapist

        # Count refusals by the exclusion constraint (a lost race, not a lost re-check): the
        # service asks _is_overlap only when an insert failed. Observation only; -1 when the
        # service no longer has that helper.
        is_overlap = getattr(appointments, "_is_overlap", None)
        if is_overlap is None:
            result.races = -1
        else:

            def counting_is_overlap(error: IntegrityError) -> bool:
                overlap: bool = is_overlap(error)
                result.races += overlap
                return overlap

            appointments._is_overlap = counting_is_overlap

        therapists = {therapist.slug: therapist for therapist in Therapist.objects.all()}
        consultation = AppointmentType.objects.get(slug="consultation")

        def book(slug: str, start: datetime, format: str, key: str) -> None:
            appointment_book_for_visitor(
                therapist=therapists[slug],
                appointment_type=consultation,
                name=f"Booker {index}",
                email=f"booker{index}@example.com",
                phone="",
                start=start,
                format=format,
                idempotency_key=key,
            )

        # Warm-up, untimed: a long-running web worker has done its first-call imports and
        # caches long before. One booking and one "taken" on a therapist of its own.
        today = datetime.now(ZONE).date()
        # Half-hourly, 24 a day: a consultation blocks 20 minutes, so these never collide.
        warm = local(
            today, FIRST_DAY_AHEAD + DAYS + 1 + index // 24, OPEN_MINUTE + 30 * (index % 24)
        )
        book(WARMUP_SLUG, warm, "telehealth", f"warm-{index}")
        with contextlib.suppress(SlotTaken):
            book(WARMUP_SLUG, warm, "telehealth", f"warm-{index}-again")
        result.races = min(result.races, 0)

        statements = 0

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal statements
            statements += 1
            return execute(sql, params, many, context)

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (backend,) = cursor.fetchone()
        pause = random.Random(SEED + index)  # noqa: S311 (think times)
        profiler = cProfile.Profile() if profile else None
        barrier.wait(timeout=300)
        result.started = clock.perf_counter()
        python_cpu, database_cpu = clock.process_time(), process_cpu(backend)
        if profiler:
            profiler.enable()
        for number, (slug, start, format) in enumerate(attempts):
            began, statements = clock.perf_counter(), 0
            try:
                with connection.execute_wrapper(count):
                    book(slug, start, format, f"bench-{index}-{number}")
            except SlotTaken:
                outcome = "taken"
            except Exception as error:  # reported, and fails the run
                outcome = "error"
                result.errors.append(f"{type(error).__name__}: {error}")
            else:
                outcome = "booked"
            result.latencies_ms.append((clock.perf_counter() - began) * 1000)
            result.outcomes.append(outcome)
            result.queries.append(statements)
            if think_ms and number + 1 < len(attempts):
                clock.sleep(pause.expovariate(1000 / think_ms))
        result.ended = clock.perf_counter()
        result.python_cpu = clock.process_time() - python_cpu
        if database_cpu >= 0 and (database_cpu_after := process_cpu(backend)) >= 0:
            result.database_cpu = database_cpu_after - database_cpu
        if profiler:
            profiler.disable()
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
            result.profile = text.getvalue()
        connections.close_all()
    except Exception as error:
        result.fatal = f"{type(error).__name__}: {error}"
        barrier.abort()
    results.put(asdict(result))  # a dict: the class lives in __mp_main__ here


# --- the run ------------------------------------------------------------------------------------


def percentile(values: list[float], share: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1]


def latency_line(label: str, values: list[float]) -> str:
    if not values:
        return f"  {label:<9} n=0"
    return (
        f"  {label:<9} n={len(values):<5} median {statistics.median(values):7.1f}  "
        f"p95 {percentile(values, 95):7.1f}  p99 {percentile(values, 99):7.1f}  "
        f"max {max(values):7.1f} ms"
    )


def run(options: argparse.Namespace) -> int:
    began = clock.perf_counter()
    load = os.getloadavg()
    database_recreate(options.database_url)
    django_setup(options.database_url)
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", verbosity=0, interactive=False)
    practice_build()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (server,) = cursor.fetchone()
    connections.close_all()
    today = datetime.now(ZONE).date()
    plans = plan(options.bookers, options.per_booker, today)
    prepared = clock.perf_counter()

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(options.bookers)
    results: multiprocessing.Queue[dict[str, Any]] = context.Queue()
    workers = [
        context.Process(
            target=booker,
            args=(
                options.database_url,
                index,
                attempts,
                barrier,
                results,
                options.profile and index == 0,
                options.think_ms,
            ),
        )
        for index, attempts in enumerate(plans)
    ]
    for worker in workers:
        worker.start()
    try:
        collected = [BookerResult(**results.get(timeout=600)) for _ in workers]
    except queue.Empty:
        print("FAIL: the bookers did not report within 10 minutes")
        for worker in workers:
            worker.terminate()
        if not options.keep:
            database_recreate(options.database_url, drop_only=True)
        return 1
    for worker in workers:
        worker.join(timeout=60)
    finished = clock.perf_counter()

    fatal = [f"booker {r.index}: {r.fatal}" for r in collected if r.fatal]
    if fatal:
        print("FAIL: bookers did not run:", *fatal[:5], sep="\n  ")
        if not options.keep:
            database_recreate(options.database_url, drop_only=True)
        return 1

    outcomes = [o for r in collected for o in r.outcomes]
    latencies = [ms for r in collected for ms in r.latencies_ms]
    by_outcome: dict[str, list[float]] = {"booked": [], "taken": [], "error": []}
    for outcome, ms in zip(outcomes, latencies, strict=True):
        by_outcome[outcome].append(ms)
    counts = Counter(outcomes)
    errors = [e for r in collected for e in r.errors]
    races = sum(r.races for r in collected) if all(r.races >= 0 for r in collected) else "?"
    wall = max(r.ended for r in collected) - min(r.started for r in collected)

    overlaps, appointments, orphans, messages, unconfirmed = verify()
    connections.close_all()
    if not options.keep:
        database_recreate(options.database_url, drop_only=True)

    cores = len(os.sched_getaffinity(0))
    print(
        f"PostgreSQL {server}, {cores} cores, load average before {load[0]:.2f}; "
        f"{options.bookers} bookers (processes) x {options.per_booker} attempts"
        + (f" {options.think_ms:g} ms apart on average" if options.think_ms else " back to back")
        + ", "
        f"{THERAPISTS} therapists, {HOT_SHARE:.0%} of attempts on a hot set of "
        f"{HOT_THERAPISTS * HOT_DAYS * len(HOT_MINUTES)} times"
    )
    print(
        f"attempts {len(outcomes)}: booked {counts['booked']}, taken {counts['taken']} "
        f"({races} of them refused by the exclusion constraint), errors {counts['error']}"
    )
    print(
        f"throughput {counts['booked'] / wall:.1f} bookings/s, "
        f"{len(outcomes) / wall:.1f} attempts/s over {wall:.2f} s"
    )
    python_cpu = sum(r.python_cpu for r in collected) / len(outcomes) * 1000
    line = f"CPU per attempt: bookers' Python {python_cpu:.1f} ms"
    if all(r.database_cpu >= 0 for r in collected):
        database_cpu = sum(r.database_cpu for r in collected) / len(outcomes) * 1000
        line += f", their PostgreSQL backends {database_cpu:.1f} ms"
    if not options.think_ms and options.bookers > cores:  # saturated: every core busy
        line += (
            f" (machine: {wall * cores / len(outcomes) * 1000:.1f} ms = wall x cores / attempts)"
        )
    statements = [q for r in collected for q in r.queries]
    queries = {
        outcome: statistics.median(
            [q for o, q in zip(outcomes, statements, strict=True) if o == outcome]
        )
        for outcome in ("booked", "taken")
        if counts[outcome]
    }
    print(line)
    print(
        "SQL statements per attempt (median): "
        + ", ".join(f"{outcome} {number:g}" for outcome, number in queries.items())
    )
    print("latency (one appointment_book_for_visitor call):")
    print(latency_line("all", latencies))
    print(latency_line("booked", by_outcome["booked"]))
    print(latency_line("taken", by_outcome["taken"]))
    # The first attempts all start at the barrier's release: one burst of `bookers` at once.
    print(latency_line("after 1st", [ms for r in collected for ms in r.latencies_ms[1:]]))
    print(
        f"check: {overlaps} overlapping pairs of active appointments; "
        f"{appointments} appointments in the database for {counts['booked']} booked; "
        f"{orphans} client records without an appointment; {messages} outbox rows, "
        f"{unconfirmed} appointments without a confirmation among them"
    )
    print(
        f"time: setup {prepared - began:.1f} s, "
        f"bookers start to finish {finished - prepared:.1f} s, "
        f"total {clock.perf_counter() - began:.1f} s"
    )
    if options.profile:
        print(next(r.profile for r in collected if r.index == 0))

    failures = []
    p95 = percentile(latencies, 95)
    if p95 >= TARGET_MS:
        failures.append(f"p95 {p95:.1f} ms is not under the {TARGET_MS:.0f} ms target")
    if errors:
        failures.append(f"{len(errors)} errors, e.g. {errors[0]}")
    if overlaps:
        failures.append(f"{overlaps} overlapping pairs of active appointments")
    if appointments != counts["booked"] or orphans or unconfirmed:
        failures.append("the database does not match the outcomes reported")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bookers", type=int, default=50)
    parser.add_argument("--per-booker", type=int, default=20)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="mean pause between one booker's attempts (exponential); 0, the default, is the "
        "worst case of the target: every booker submits again the moment it has an answer",
    )
    parser.add_argument("--keep", action="store_true", help="leave the database for a look")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile booker 0 and print where its time went"
    )
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
