"""How fast the signal engine is: a full recompute of a practice, and the update of one client.

Run from the repository root (docs/performance.md has the figures and what they mean):

    .venv/bin/python bench/bench_signals.py [--episodes 100000] [--sessions 20] [--workers 2]
        [--repetitions 3] [--single]

It generates a seeded practice (400 therapists; per client a stable alliance level with noise,
therapist ratings lower than the client's, a rupture in a third of episodes of which half are
repaired, occasional tension reports, PHQ-9 and GAD-7 falling along a log curve with noise, a few
item-9 answers; every session has every score). Generating is not timed. Then it times, each the
median of --repetitions runs:

- fit: ``practice_norms_fit`` over every episode;
- signals kept in the workers: ``signals_for_chunks`` with a handler that only counts, so the
  signals stay in the worker that made them (what a recompute that stores each chunk where it
  was computed pays);
- signals returned: ``signals_for_all``, every episode's signals built and sent back to this
  process;
- full recompute = fit + signals kept in the workers, the target (under 10 s for
  100,000 x 20 on 2 cores); also given with the signals returned;
- incremental: ``signals_for`` on one client's 20- and 50-session series (norms already known),
  median and p95 over many clients; the target is under 10 ms per response, of which
  this is the engine's part (the Django side measures the database part).

--single also times the fit and the signals on one process. Every figure is given as wall time
and as CPU time (this process and its workers); the load average is printed before each phase,
because other work on the machine changes the wall times by 2x or more. Exits 1 when the full
recompute or the 50-session update misses its target.
"""

import argparse
import gc
import math
import os
import random
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

# Run as a script, Python puts bench/ on the path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alliance.clinical.signals import (
    Episode,
    PracticeNorms,
    SessionPoint,
    Signal,
    SignalSettings,
    practice_norms_fit,
    signals_for,
    signals_for_all,
    signals_for_chunks,
)

SEED = 20261126
THERAPISTS = 400
FULL_TARGET_S = 10.0
INCREMENTAL_TARGET_MS = 10.0
FIRST_DAY = date(2025, 1, 6)


def _clamp(value: float, low: int, high: int) -> int:
    return low if value < low else high if value > high else round(value)


def make_episode(rng: random.Random, sessions: int) -> Episode:
    therapist = rng.randrange(THERAPISTS)
    level = min(max(rng.gauss(28.5, 3.0), 14.0), 34.0)
    volatility = rng.choice((1.0, 1.5, 2.0))
    # Clients rate higher than therapists (Tryon et al. 2007: d = .63).
    therapist_level = level - 3.5 + rng.gauss(0, 2.0)
    rupture_at = rng.randrange(4, sessions + 1) if rng.random() < 1 / 3 else 0
    rupture_size = rng.uniform(5.0, 9.0)
    repaired = rng.random() < 0.5
    phq9_intake = rng.randint(4, 24)
    gad7_intake = rng.randint(3, 19)
    response = rng.gauss(0.17, 0.08)
    start = FIRST_DAY + timedelta(days=rng.randrange(365))
    points: list[SessionPoint] = []
    for number in range(1, sessions + 1):
        drop = 0.0
        if rupture_at and (number == rupture_at or (number > rupture_at and not repaired)):
            drop = rupture_size if number == rupture_at else 0.8 * rupture_size
        at_rupture = number == rupture_at
        tension = 1 if (at_rupture and rng.random() < 0.6) or rng.random() < 0.03 else 0
        fall = response * math.log(number)
        points.append(
            SessionPoint(
                number=number,
                date=start + timedelta(days=7 * (number - 1)),
                client_alliance=_clamp(level - drop + rng.gauss(0, volatility), 7, 35),
                therapist_alliance=_clamp(therapist_level - 0.3 * drop + rng.gauss(0, 1.5), 7, 35),
                client_tension=tension,
                client_repair=(3 if repaired else 1) if tension else None,
                therapist_tension=1 if rng.random() < (0.3 if at_rupture else 0.03) else 0,
                phq9=_clamp(phq9_intake * (1 - fall) + rng.gauss(0, 2.5), 0, 27),
                gad7=_clamp(gad7_intake * (1 - fall) + rng.gauss(0, 2.2), 0, 21),
                phq9_item9=1 if rng.random() < 0.01 else 0,
                rses=_clamp(15 + rng.gauss(0, 4), 0, 30) if number % 4 == 1 else None,
            )
        )
    return Episode(therapist, tuple(points))


def practice(episodes: int, sessions: int, seed: int = SEED) -> list[Episode]:
    # Seeded so every run times the same practice; nothing here is secret.
    rng = random.Random(seed)  # noqa: S311
    # Millions of new objects and no cycles: the cycle collector would only slow the building.
    gc.disable()
    try:
        return [make_episode(rng, sessions) for _ in range(episodes)]
    finally:
        gc.enable()


def _count(episodes: Sequence[Episode], signals: list[list[Signal]]) -> int:
    return sum(map(len, signals))


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class Timing:
    walls: list[float]  # seconds, one per run
    cpus: list[float]  # CPU seconds, all processes, one per run

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    def __str__(self) -> str:
        runs = ", ".join(
            f"{wall:.1f}/{cpu:.1f}" for wall, cpu in zip(self.walls, self.cpus, strict=True)
        )
        return f"median {self.wall:.2f} s wall, {self.cpu:.2f} s CPU (runs, wall/CPU: {runs})"


def timed[R](run: Callable[[], R], repetitions: int) -> tuple[Timing, R]:
    """Median wall and CPU seconds over ``repetitions`` runs, and the last run's result. CPU
    seconds say what the work costs whatever else runs on the machine; on 2 idle cores the
    wall time of a 2-worker run approaches half of them."""
    walls: list[float] = []
    cpus: list[float] = []
    result: R | None = None
    for _ in range(repetitions):
        result = None  # let the previous run's result go before the next one starts
        started, started_cpu = time.perf_counter(), cpu_seconds()
        result = run()
        walls.append(time.perf_counter() - started)
        cpus.append(cpu_seconds() - started_cpu)
    assert result is not None
    return Timing(walls, cpus), result


def incremental_ms(
    series_list: list[tuple[SessionPoint, ...]],
    settings: SignalSettings,
    norms: PracticeNorms,
) -> tuple[float, float]:
    timings: list[float] = []
    for _ in range(5):
        for series in series_list:
            started = time.perf_counter()
            signals_for(series, settings, norms)
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), statistics.quantiles(timings, n=20)[-1]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--single", action="store_true", help="also time on one process")
    options = parser.parse_args()
    settings = SignalSettings()

    started = time.perf_counter()
    episodes = practice(options.episodes, options.sessions)
    print(
        f"generated {options.episodes} episodes x {options.sessions} sessions "
        f"in {time.perf_counter() - started:.0f} s (not timed)"
    )
    workers = options.workers
    reps = options.repetitions

    print(load())
    fit, norms = timed(lambda: practice_norms_fit(episodes, settings, workers=workers), reps)
    print(
        f"fit ({workers} workers): {fit}; curves "
        f"{norms.curves['phq9'].kind}/{norms.curves['gad7'].kind}, change SD "
        f"{norms.change_sd or 0:.2f}, gap {norms.gap_mean or 0:.2f} ± {norms.gap_sd or 0:.2f}"
    )
    # Kept in the workers first: after a run that brought a million signals back into this
    # process, later forked runs were 3-6 times slower here (see docs/performance.md).
    print(load())
    computed, counts = timed(
        lambda: signals_for_chunks(episodes, settings, norms, _count, workers=workers), reps
    )
    print(f"signals ({workers} workers, kept in the workers): {computed}")
    print(load())
    returned, signals = timed(
        lambda: signals_for_all(episodes, settings, norms, workers=workers), reps
    )
    kinds = Counter((signal.kind, signal.rule) for part in signals for signal in part)
    total = sum(kinds.values())
    print(f"signals ({workers} workers, returned): {returned}, {total} signals")
    del signals
    assert sum(counts) == total
    full_s = fit.wall + computed.wall
    print(
        f"full recompute = fit + signals kept in the workers: {full_s:.2f} s wall "
        f"(target {FULL_TARGET_S:.0f} s), {fit.cpu + computed.cpu:.2f} s CPU; "
        f"with the signals returned: {fit.wall + returned.wall:.2f} s wall"
    )
    for (kind, rule), count in sorted(kinds.items()):
        print(f"  {kind:24} {rule:22} {count:8} ({count / len(episodes):.2f} per episode)")

    if options.single:
        print(load())
        single_fit, _ = timed(lambda: practice_norms_fit(episodes, settings), reps)
        single_signals, _ = timed(lambda: signals_for_all(episodes, settings, norms), reps)
        per_episode = (single_fit.cpu + single_signals.cpu) / len(episodes) * 1e6
        print(
            f"one process: fit {single_fit}; signals {single_signals}; "
            f"{per_episode:.0f} µs CPU per episode"
        )

    rng = random.Random(SEED + 1)  # noqa: S311
    failed = full_s > FULL_TARGET_S
    for sessions in (20, 50):
        clients = [make_episode(rng, sessions) for _ in range(400)]
        series_list = [tuple(client.series) for client in clients]
        median, p95 = incremental_ms(series_list, settings, norms)
        print(
            f"incremental, one {sessions}-session series: median {median:.3f} ms, p95 {p95:.3f} ms"
        )
        if sessions == 50 and median > INCREMENTAL_TARGET_MS:
            failed = True
    if failed:
        print("FAIL: a target was missed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
