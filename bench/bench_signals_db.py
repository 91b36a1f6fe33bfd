"""The incremental update when a response arrives: one client's signals recomputed and stored.

Run from the repository root (docs/performance.md has the figures):

    .venv/bin/python bench/bench_signals_db.py [--sessions 50] [--runs 200]
        [--database-url sqlite:////tmp/alliance-bench-signals.sqlite3]

It creates (and afterwards removes, for SQLite) a fresh database, migrates it, and records one
client's history through the real services: `--sessions` weekly sessions, each with the client's
alliance check-in, the therapist's rating, PHQ-9 and GAD-7, with a rupture and a repair in it, so
every step of the update has work to do. Then it times `signals_recompute_client` (read the
latest episode's series, run every detector against the stored norms, replace the client's
signals, raise or resolve alerts) `--runs` times with `time.perf_counter()` and prints the median,
p95 and max, twice: when the signals found are those already stored (most responses), and when
they changed (the digest is cleared first, so every signal is rewritten and the alerts synced).
Exits 1 when either p95 is 10 ms or more. A PostgreSQL URL works too; the database
named in it is dropped and created, so never point it at one you keep.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fresh_database import fresh_database  # noqa: E402  (after the path)

TARGET_MS = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url", default="sqlite:////tmp/alliance-bench-signals.sqlite3")
    options = parser.parse_args()
    with fresh_database(options.database_url):
        return _run(options.sessions, options.runs)


def _run(sessions: int, runs: int) -> int:
    from django.utils import timezone

    from alliance.care.engine.incremental import signals_recompute_client
    from alliance.care.models import Episode
    from alliance.clients.models import Client
    from alliance.practice.models import Practice, Therapist
    from tests.care.history import session_with

    Practice.objects.current()
    therapist = Therapist.objects.create(slug="bench", name="Bench Therapist", bio="-")
    client = Client.objects.create(name="Bench Client", therapist=therapist)
    today = timezone.localdate()
    for week in range(sessions):
        score = 29 if week % 11 != 7 else 21  # a rupture now and then, repaired after
        session_with(
            client,
            today - timedelta(weeks=sessions - 1 - week),
            alliance=score,
            tension=2 if score == 21 else 0,
            therapist_alliance=26,
            phq9=max(18 - week // 3, 4),
        )
    now = timezone.now()
    found = signals_recompute_client(client=client, now=now)  # warm: imports, norms, caches
    episode = Episode.objects.filter(client=client)
    worst = 0.0
    for path, forget in (("signals unchanged", False), ("signals changed", True)):
        times = []
        for _ in range(runs):
            if forget:
                # As if the response changed the signals: everything is replaced and the
                # alerts are synced, the write path a new session's answers take.
                episode.update(signals_digest="")
            started = time.perf_counter()
            signals_recompute_client(client=client, now=now)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        median = statistics.median(times)
        p95 = times[int(0.95 * (len(times) - 1))]
        worst = max(worst, p95)
        print(
            f"{path}: {sessions} sessions, {len(found)} signals, {runs} runs: "
            f"median {median:.2f} ms, p95 {p95:.2f} ms, max {times[-1]:.2f} ms "
            f"(target: under {TARGET_MS:.0f} ms)"
        )
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
