"""The full relationship-signals recompute through the database, as `manage.py signals_recompute`
runs it.

Run from the repository root:

    .venv/bin/python bench/bench_signals_recompute_db.py --episodes 10000
        [--sessions 20] [--therapists 400] [--runs 1] [--profile] [--keep] [--forget]
        [--database-url postgres://postgres@127.0.0.1:5432/alliance_bench_recompute]

The database named in the URL is dropped and created, so never point it at one you keep; a
SQLite URL names a file, removed before and after. With `--keep` the database is created only
if missing, seeded only if it has no episodes, and kept afterwards: seed 100,000 episodes once
and time as many runs as you like (`--forget` first deletes the stored signals, signal alerts,
norms and digests, not timed, so that run 1 again stores everything). After `migrate` the script
seeds a practice:
`--therapists` therapists (with their users) through the ORM, then `--episodes` clients with one
episode each, `--sessions` weekly sessions per episode and four responses per session
(alliance_client, alliance_therapist, phq9, gad7) inserted in bulk, with COPY FROM STDIN on
PostgreSQL and executemany on SQLite. The scores come from bench_signals.py's generator
(ruptures in a third of episodes, half of them repaired, tension reports, symptom scores
falling along a log curve, a few item-9 answers); the dates are moved so that 40% of clients had
their last session in the last four weeks, where signals raise alerts. Responses store
`answers` as `{}`: the engine reads only the instrument, total, tension, repair and item9
columns, so the answers themselves would only make the seeding slower. The uuids are random
128-bit values, not version-4 UUIDs. Seeding is timed apart
and is not part of the figure.

Then it times `signals_recompute_all` (read every client's latest episode, fit the practice
norms, run the engine, store the signals, raise alerts) `--runs` times: the first run on a new
database stores every signal and alert, later ones find nothing changed. Each run prints wall
seconds (`time.perf_counter`), the CPU seconds of this process (`time.process_time`) and of the
PostgreSQL server's processes (from /proc, when the server runs on this machine), the process's
peak RSS so far (`resource.getrusage`, in MB), the rows the run inserted, updated and deleted
(from PostgreSQL's table statistics; not measured on SQLite), the signals stored and the
alerts raised. `--profile` runs
each recompute under cProfile (slower) and prints its top 25 entries by cumulative time to
stderr.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import random
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Run as a script, Python puts bench/ on the path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_signals import SEED, load, make_episode
from bench.fresh_database import fresh_database, kept_database

if TYPE_CHECKING:
    from django.db.models import Field, Model

# Episodes generated and inserted at a time: enough to keep COPY's per-statement cost small,
# few enough that 100,000 episodes never sit in memory at once.
CHUNK = 2_000
# Share of clients seen in the last four weeks (signals there raise alerts); the others
# finished their episode up to two years ago.
ACTIVE_SHARE = 0.4
INSTRUMENTS = ("alliance_client", "alliance_therapist", "phq9", "gad7")
# band, prorated, flags, comment: nothing the engine reads.
UNSCORED = ("", False, "[]", "")

# The columns each bulk insert fills, by field name, in the order of the row tuples below.
CLIENT_FIELDS = ("id", "uuid", "name", "email", "phone", "therapist", "created_at")
EPISODE_FIELDS = (
    "id",
    "client",
    "therapist",
    "started_on",
    "ended_on",
    "created_at",
    "signals_digest",
)
SESSION_FIELDS = ("id", "episode", "date", "created_at")
RESPONSE_FIELDS = (
    "uuid",
    "session",
    "client",
    "instrument",
    "instrument_version",
    "respondent",
    "answers",
    "total",
    "band",
    "prorated",
    "flags",
    "comment",
    "tension",
    "repair",
    "item9",
    "completed_at",
    "source",
    "created_at",
)

Row = tuple[Any, ...]
# One chunk's rows, table by table, parents before the rows that point at them.
ChunkRows = tuple[list[Row], list[Row], list[Row], list[Row]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--therapists", type=int, default=400)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/alliance_bench_recompute"
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile each recompute")
    parser.add_argument("--keep", action="store_true", help="keep the database (seed once)")
    parser.add_argument("--forget", action="store_true", help="delete stored signals first")
    options = parser.parse_args()
    database = kept_database if options.keep else fresh_database
    with database(options.database_url):
        from alliance.care.models import Episode

        if not Episode.objects.exists():
            seed(options.episodes, options.sessions, options.therapists)
        if options.forget:
            forget()
        measure(options.runs, options.profile)
    return 0


def forget() -> None:
    """Delete what recomputes store, so the next run stores everything again."""
    from alliance.care.models import (
        Alert,
        AlertEvent,
        Episode,
        PracticeNormsRecord,
        SignalRecord,
    )

    started = time.perf_counter()
    signal_alerts = Alert.objects.exclude(kind="risk")
    AlertEvent.objects.filter(alert__in=signal_alerts).delete()
    signal_alerts.delete()
    SignalRecord.objects.all().delete()
    PracticeNormsRecord.objects.all().delete()
    Episode.objects.update(signals_digest="")
    from django.db import connection

    if connection.vendor == "postgresql":
        # As autovacuum would have done by the next night: without it the deleted rows linger
        # and the planner's estimates are a night old.
        with connection.cursor() as cursor:
            for model in (Alert, AlertEvent, Episode, PracticeNormsRecord, SignalRecord):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    print(
        f"forgot stored signals, alerts, norms and digests in {time.perf_counter() - started:.1f} s"
    )


def seed(episodes: int, sessions: int, therapists: int) -> None:
    from django.db import connection, transaction

    from alliance.care.models import Episode, Response, TherapySession
    from alliance.clients.models import Client

    print(load())
    started = time.perf_counter()
    therapist_ids = _therapists(therapists)
    tables = [
        (Client, CLIENT_FIELDS),
        (Episode, EPISODE_FIELDS),
        (TherapySession, SESSION_FIELDS),
        (Response, RESPONSE_FIELDS),
    ]
    # Millions of short-lived rows and no cycles: the cycle collector would only slow seeding.
    gc.disable()
    try:
        chunks = _chunks(episodes, sessions, therapist_ids)
        if connection.vendor == "postgresql":
            statements = [_copy_sql(model, fields) for model, fields in tables]
            with connection.cursor() as cursor:
                raw = cursor.connection  # psycopg's own connection: Django has no COPY
                with raw.cursor() as pg:
                    for chunk in chunks:
                        # One COPY per table and chunk, each committed on its own (Django's
                        # autocommit): the foreign keys are checked at commit, and one
                        # transaction would queue every row's check until the end.
                        for sql, rows in zip(statements, chunk, strict=True):
                            with pg.copy(sql) as copy:
                                for row in rows:
                                    copy.write_row(row)
        else:
            statements = [_insert_sql(model, fields) for model, fields in tables]
            # Slow (every value through its field), but SQLite is for small runs.
            preparers = [_fields(model, names) for model, names in tables]
            with transaction.atomic(), connection.cursor() as cursor:
                for chunk in chunks:
                    for sql, prepare, rows in zip(statements, preparers, chunk, strict=True):
                        cursor.executemany(sql, [_prepared(prepare, row) for row in rows])
    finally:
        gc.enable()
    # The ids were given explicitly, so the tables' sequences still start at 1: move them past
    # the rows, or the next client or session the application creates would collide.
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Client, Episode, TherapySession]):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            # The planner would otherwise plan the recompute's joins on empty-table estimates.
            cursor.execute("ANALYZE")
    print(
        f"seeded {therapists} therapists, {episodes} episodes x {sessions} sessions, "
        f"{episodes * sessions * len(INSTRUMENTS)} responses on {connection.vendor} "
        f"in {time.perf_counter() - started:.1f} s (not timed)"
    )


def _therapists(count: int) -> list[int]:
    """The therapists' ids: a few rows, so through the ORM like the application makes them."""
    from django.contrib.auth.hashers import make_password

    from alliance.accounts.models import Role, User
    from alliance.practice.models import Practice, Therapist

    Practice.objects.current()
    users = User.objects.bulk_create(
        User(
            email=f"therapist{number}@bench.example",
            full_name=f"Therapist {number}",
            role=Role.THERAPIST,
            password=make_password(None),  # unusable: nobody signs in here
        )
        for number in range(count)
    )
    made = Therapist.objects.bulk_create(
        Therapist(user=user, slug=f"therapist-{number}", name=user.full_name, bio="-")
        for number, user in enumerate(users)
    )
    return [therapist.pk for therapist in made]


def _chunks(episodes: int, sessions: int, therapist_ids: Sequence[int]) -> Iterator[ChunkRows]:
    """The rows of CHUNK episodes at a time: client, episode and session ids given here (so
    responses can point at them without reading them back), one episode per client."""
    from django.utils import timezone

    from alliance.care.instruments import instrument

    # Seeded so every run seeds the same practice; nothing here is secret.
    rng = random.Random(SEED)  # noqa: S311
    today = timezone.localdate()
    five_pm = time_of_day(17)  # every session at 17:00 UTC: the hour plays no part here
    heads: dict[str, Row] = {}
    sources: dict[str, str] = {}
    for code in INSTRUMENTS:
        found = instrument(code)
        assert found is not None, f"instrument {code} is not defined"
        heads[code] = (code, found.version, str(found.respondent), "{}")
        # The therapist's own rating is entered by staff; the rest come from the check-in.
        sources[code] = "staff" if code == "alliance_therapist" else "checkin"
    for first in range(0, episodes, CHUNK):
        clients: list[Row] = []
        episode_rows: list[Row] = []
        session_rows: list[Row] = []
        responses: list[Row] = []
        for index in range(first, min(first + CHUNK, episodes)):
            generated = make_episode(rng, sessions)
            assert isinstance(generated.therapist, int)  # the generator numbers its therapists
            therapist_id = therapist_ids[generated.therapist % len(therapist_ids)]
            active = rng.random() < ACTIVE_SHARE
            last = today - timedelta(days=rng.randrange(28) if active else rng.randrange(28, 730))
            started_on = last - timedelta(weeks=sessions - 1)
            created = datetime.combine(started_on, five_pm, UTC)
            pk = index + 1
            clients.append((pk, _uuid(), f"Client {pk}", "", "", therapist_id, created))
            episode_rows.append(
                # No digest: no signals stored yet, as for an episode the application starts.
                (pk, pk, therapist_id, started_on, None if active else last, created, "")
            )
            for point in generated.series:
                session_id = index * sessions + point.number
                day = started_on + timedelta(weeks=point.number - 1)
                at = datetime.combine(day, five_pm, UTC)
                session_rows.append((session_id, pk, day, at))
                scores = (
                    (
                        "alliance_client",
                        point.client_alliance,
                        point.client_tension,
                        point.client_repair,
                        None,
                    ),
                    (
                        "alliance_therapist",
                        point.therapist_alliance,
                        point.therapist_tension,
                        None,
                        None,
                    ),
                    ("phq9", point.phq9, None, None, point.phq9_item9),
                    ("gad7", point.gad7, None, None, None),
                )
                for code, total, tension, repair, item9 in scores:
                    responses.append(
                        (
                            _uuid(),
                            session_id,
                            pk,
                            *heads[code],
                            total,
                            *UNSCORED,
                            tension,
                            repair,
                            item9,
                            at,
                            sources[code],
                            at,
                        )
                    )
        yield clients, episode_rows, session_rows, responses


def _fields(model: type[Model], names: Sequence[str]) -> list[Field[Any, Any]]:
    """The named fields, checked to cover every NOT NULL column the migrations made, so a new
    required field fails here rather than as an insert error halfway through."""
    meta = model._meta
    required = {
        field.name
        for field in meta.concrete_fields
        if not field.null and not field.primary_key and field.name not in names
    }
    assert not required, f"{meta.db_table}: no value for NOT NULL {sorted(required)}"
    by_name = {field.name: field for field in meta.concrete_fields}
    return [by_name[name] for name in names]


def _uuid() -> str:
    """A random 128-bit id in hex, which both databases' uuid columns read: a uuid.UUID costs
    several times as much to make and to send, millions of times over."""
    return os.urandom(16).hex()


def _prepared(fields: Sequence[Field[Any, Any]], row: Row) -> list[Any]:
    """A row as sqlite3 takes it (no UUIDs, no aware datetimes), each value through its field
    as the ORM would send it; the JSON columns are already their text."""
    from django.db import connection
    from django.db.models import JSONField

    return [
        value if isinstance(field, JSONField) else field.get_db_prep_save(value, connection)
        for field, value in zip(fields, row, strict=True)
    ]


def _columns(model: type[Model], names: Sequence[str]) -> str:
    from django.db import connection

    # Every concrete field has a column; the stubs allow None for fields that have none.
    return ", ".join(
        connection.ops.quote_name(field.column or "") for field in _fields(model, names)
    )


def _copy_sql(model: type[Model], fields: Sequence[str]) -> str:
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    return f"COPY {table} ({_columns(model, fields)}) FROM STDIN"


def _insert_sql(model: type[Model], fields: Sequence[str]) -> str:
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {table} ({_columns(model, fields)}) VALUES ({marks})"  # noqa: S608


def measure(runs: int, profile: bool) -> None:
    from django.utils import timezone

    from alliance.care.engine.nightly import signals_recompute_all
    from alliance.care.models import Alert, Episode, Response, SignalRecord, TherapySession

    print(
        f"{Episode.objects.count()} episodes, {TherapySession.objects.count()} sessions, "
        f"{Response.objects.count()} response rows"
    )
    for run in range(1, runs + 1):
        print(load())
        profiler = cProfile.Profile() if profile else None
        written_before, server_before = _rows_written(), _server_cpu()
        started, started_cpu = time.perf_counter(), time.process_time()
        if profiler is None:
            episodes, found = signals_recompute_all(now=timezone.now())
        else:
            episodes, found = profiler.runcall(signals_recompute_all, now=timezone.now())
        wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        server = _server_cpu() - server_before
        written = [
            after - before for after, before in zip(_rows_written(), written_before, strict=True)
        ]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
        print(
            f"run {run}{' (under cProfile)' if profiler else ''}: {wall:.2f} s wall, "
            f"{cpu:.2f} s CPU (this process), {server:.2f} s CPU (PostgreSQL server), "
            f"peak RSS {peak:.0f} MB; rows inserted {written[0]}, updated {written[1]}, "
            f"deleted {written[2]}; {episodes} episodes, {found} signals found, "
            f"{SignalRecord.objects.count()} signals stored, {Alert.objects.count()} alerts"
        )
        if profiler is not None:
            print(f"--- run {run}: top 25 by cumulative time", file=sys.stderr)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)


def _rows_written() -> tuple[int, int, int]:
    """Rows inserted, updated and deleted so far in this database's tables, from PostgreSQL's
    statistics (zeros on SQLite, which keeps no such figures)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0, 0, 0
    time.sleep(1.5)  # a backend reports its counts when idle, at most once a second
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT sum(n_tup_ins), sum(n_tup_upd), sum(n_tup_del) FROM pg_stat_user_tables"
        )
        inserted, updated, deleted = cursor.fetchone()
    return int(inserted), int(updated), int(deleted)


def _server_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL server's processes on this machine (0 when
    they cannot be read: another user's /proc entries, or a server elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() not in ("postgres", "postmaster"):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (children not counted)
    return total / ticks


if __name__ == "__main__":
    raise SystemExit(main())
