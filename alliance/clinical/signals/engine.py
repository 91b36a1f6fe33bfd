"""The registry of detectors, and the calls that run them.

``signals_for`` is the whole engine for one series: the incremental update when a response
arrives. ``signals_for_all`` is the same over a practice, optionally split over processes; it
changes nothing about what a series gives, only how many series run at once.
"""

from collections.abc import Callable, Sequence

from alliance.clinical.signals.context import Context, Detector
from alliance.clinical.signals.disagreement import detect_disagreement
from alliance.clinical.signals.level import detect_low_alliance
from alliance.clinical.signals.model import Episode, SessionPoint, Signal, by_session
from alliance.clinical.signals.norms import PracticeNorms
from alliance.clinical.signals.parallel import map_chunks
from alliance.clinical.signals.parameters import SignalSettings
from alliance.clinical.signals.rupture import detect_repair, detect_rupture
from alliance.clinical.signals.symptoms import (
    detect_no_improvement,
    detect_not_on_track,
    detect_reliable_deterioration,
    detect_risk,
)

# In the order the caseload ranks need (risk first); signals from one session keep this order.
DETECTORS: tuple[Detector, ...] = (
    detect_risk,
    detect_rupture,
    detect_repair,
    detect_disagreement,
    detect_low_alliance,
    detect_not_on_track,
    detect_no_improvement,
    detect_reliable_deterioration,
)


def signals_for(
    series: Sequence[SessionPoint],
    settings: SignalSettings,
    norms: PracticeNorms,
) -> list[Signal]:
    """Every signal in one client's series (in session order, then detector order).

    ``series`` is the episode's sessions in session order (``check_series`` checks that).
    """
    context = Context(settings, norms)
    signals: list[Signal] = []
    for detect in DETECTORS:
        signals.extend(detect(series, context))
    signals.sort(key=by_session)  # stable: detector order within a session
    return signals


def _run(
    episodes: Sequence[Episode], settings: SignalSettings, norms: PracticeNorms
) -> list[list[Signal]]:
    return [signals_for(episode.series, settings, norms) for episode in episodes]


def signals_for_all(
    episodes: Sequence[Episode],
    settings: SignalSettings,
    norms: PracticeNorms,
    *,
    workers: int = 1,
) -> list[list[Signal]]:
    """``signals_for`` for every episode, in the order of ``episodes``. With ``workers`` > 1,
    chunks run in a process pool (``parallel.map_chunks``, which says when forking is safe)."""
    parts = map_chunks(_run, episodes, settings, norms, workers=workers)
    return [signals for part in parts for signals in part]


def _run_and_handle[R](
    episodes: Sequence[Episode],
    settings: SignalSettings,
    norms: PracticeNorms,
    handle: Callable[[Sequence[Episode], list[list[Signal]]], R],
) -> R:
    return handle(episodes, _run(episodes, settings, norms))


def signals_for_chunks[R](
    episodes: Sequence[Episode],
    settings: SignalSettings,
    norms: PracticeNorms,
    handle: Callable[[Sequence[Episode], list[list[Signal]]], R],
    *,
    workers: int = 1,
) -> list[R]:
    """Like ``signals_for_all``, but ``handle(chunk, its signals)`` runs in the worker that
    computed them and only what it returns comes back. Sending a million signals back to one
    process costs about as much as computing them (docs/performance.md); a full recompute that
    stores them can store each chunk where it was computed. ``handle`` must be a module-level
    function."""
    return map_chunks(_run_and_handle, episodes, settings, norms, handle, workers=workers)
