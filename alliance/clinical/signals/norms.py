"""The practice's own norms, from all its episodes at once.

Some rules compare a client with the practice: a fall in the alliance larger than the practice's
usual session-to-session change, a client-therapist gap larger than the practice's usual gap, a
symptom score against the practice's expected course. ``practice_norms_fit`` computes all of
them in one pass over every session of every episode. ``NormsAccumulator`` is that pass in
pieces: accumulators over parts of the practice merge into the same result, which is how
``signals_for_all`` splits it over processes.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from math import sumprod

from alliance.clinical.signals.expected import (
    LOG_TABLE,
    LOG_TABLE_SIZE,
    EpisodeSums,
    ExpectedCurve,
    default_curve,
    episode_sums,
    fit_curve,
)
from alliance.clinical.signals.model import (
    MEASURES,
    Episode,
    Measure,
    SessionPoint,
    scores_of,
)
from alliance.clinical.signals.parallel import map_chunks
from alliance.clinical.signals.parameters import SignalSettings


@dataclass(frozen=True, slots=True)
class PracticeNorms:
    """What is usual in this practice. A None means "not enough data yet": the rule that needs
    it stays off rather than guessing (the default curves are the one exception, documented)."""

    change_sd: float | None  # SD of session-to-session changes in client alliance totals
    changes: int  # how many changes it came from
    gap_mean: float | None  # mean of client minus therapist alliance total, same session
    gap_sd: float | None
    gaps: int
    curves: dict[Measure, ExpectedCurve] = field(
        default_factory=lambda: {measure: default_curve(measure) for measure in MEASURES}
    )
    # Which fit these are (0: none yet). The practice stores each refit as a new version and
    # signals that compare with the norms record it in their evidence.
    version: int = 0


def default_norms() -> PracticeNorms:
    """A practice with no data yet: no SD or gap norms, default curves."""
    return PracticeNorms(None, 0, None, None, 0)


def sample_sd(count: int, total: float, squares: float) -> float:
    # Sample SD from running sums. The alliance totals are small integers, so the sums are exact
    # and the usual cancellation worry of this formula does not arise.
    return math.sqrt(max(squares - total * total / count, 0.0) / (count - 1))


@dataclass(slots=True)
class NormsAccumulator:
    """Running sums for ``practice_norms_fit``; ``add`` each episode, ``merge`` partial
    accumulators, ``finish`` into norms."""

    changes: int = 0
    change_sum: float = 0.0
    change_squares: float = 0.0
    gaps: int = 0
    gap_sum: float = 0.0
    gap_squares: float = 0.0
    episodes: dict[Measure, list[EpisodeSums]] = field(
        default_factory=lambda: {measure: [] for measure in MEASURES}
    )

    def add(self, episode: Episode) -> None:
        """Add one episode's sums.

        The usual episode is complete (every score present, sessions numbered without gaps);
        its sums come from C-level built-ins (sum, math.sumprod), several times faster than a
        loop over the sessions. Any other episode, or any part of it with a gap, takes the plain
        loop. Both give the same sums (tests/clinical/signals/test_norms.py).
        """
        series = episode.series
        if not series:
            return
        consecutive = (
            series[-1].number - series[0].number == len(series) - 1 and len(series) < LOG_TABLE_SIZE
        )
        if not (consecutive and self._add_alliance_complete(series)):
            self._add_alliance_plain(series)
        for measure in MEASURES:
            values = scores_of(series, measure)
            if consecutive and None not in values:
                sums = _complete_course_sums(values)
            else:
                sums = episode_sums(
                    (point.number, value)
                    for point, value in zip(series, values, strict=True)
                    if value is not None
                )
            # An intake alone says nothing about the course.
            if sums is not None and sums[0] > 0:
                self.episodes[measure].append(sums)

    def add_plain(self, episode: Episode) -> None:
        """``add`` without the quick paths (the reference the tests compare them with)."""
        self._add_alliance_plain(episode.series)
        for measure in MEASURES:
            sums = episode_sums(
                (point.number, value)
                for point in episode.series
                if (value := getattr(point, measure)) is not None
            )
            if sums is not None and sums[0] > 0:
                self.episodes[measure].append(sums)

    def _add_alliance_complete(self, series: Sequence[SessionPoint]) -> bool:
        """The alliance sums of an episode both sides rated every session; False, having
        changed nothing, when one did not."""
        client = [point.client_alliance for point in series]
        therapist = [point.therapist_alliance for point in series]
        # sum() and sumprod() raise TypeError on a None: that is the completeness test, paid
        # only by the episodes that fail it.
        try:
            client_sum = sum(client)  # type: ignore[arg-type]
            therapist_sum = sum(therapist)  # type: ignore[arg-type]
            client_squares = sumprod(client, client)  # type: ignore[arg-type]
            neighbours = sumprod(client[:-1], client[1:])  # type: ignore[arg-type]
            gap_squares = (
                client_squares
                + sumprod(therapist, therapist)  # type: ignore[arg-type]
                - 2 * sumprod(client, therapist)  # type: ignore[arg-type]
            )
        except TypeError:
            return False
        first, last = client[0], client[-1]
        assert first is not None
        assert last is not None
        n = len(series)
        self.changes += n - 1
        self.change_sum += last - first  # the changes telescope
        # Σ(x[i+1] - x[i])² = Σx[1:]² + Σx[:-1]² - 2·Σx[i]·x[i+1]
        self.change_squares += 2 * client_squares - first * first - last * last - 2 * neighbours
        self.gaps += n
        self.gap_sum += client_sum - therapist_sum
        self.gap_squares += gap_squares
        return True

    def _add_alliance_plain(self, series: Sequence[SessionPoint]) -> None:
        changes, change_sum, change_squares = 0, 0, 0
        gaps, gap_sum, gap_squares = 0, 0, 0
        previous: int | None = None
        for point in series:
            client = point.client_alliance
            therapist = point.therapist_alliance
            if client is not None:
                if previous is not None:
                    change = client - previous
                    changes += 1
                    change_sum += change
                    change_squares += change * change
                previous = client
                if therapist is not None:
                    gap = client - therapist
                    gaps += 1
                    gap_sum += gap
                    gap_squares += gap * gap
        self.changes += changes
        self.change_sum += change_sum
        self.change_squares += change_squares
        self.gaps += gaps
        self.gap_sum += gap_sum
        self.gap_squares += gap_squares

    def merge(self, other: "NormsAccumulator") -> None:
        self.changes += other.changes
        self.change_sum += other.change_sum
        self.change_squares += other.change_squares
        self.gaps += other.gaps
        self.gap_sum += other.gap_sum
        self.gap_squares += other.gap_squares
        for measure in MEASURES:
            self.episodes[measure].extend(other.episodes[measure])

    def finish(self, settings: SignalSettings) -> PracticeNorms:
        enough = settings.min_practice_observations
        change_sd = (
            sample_sd(self.changes, self.change_sum, self.change_squares)
            if self.changes >= max(enough, 2)
            else None
        )
        gap_mean = gap_sd = None
        if self.gaps >= max(enough, 2):
            gap_mean = self.gap_sum / self.gaps
            gap_sd = sample_sd(self.gaps, self.gap_sum, self.gap_squares)
        curves = {
            measure: fit_curve(
                measure,
                self.episodes[measure],
                min_episodes=settings.min_practice_episodes,
                min_scores=settings.min_scores_per_episode,
            )
            for measure in MEASURES
        }
        return PracticeNorms(
            change_sd=change_sd,
            changes=self.changes,
            gap_mean=gap_mean,
            gap_sd=gap_sd,
            gaps=self.gaps,
            curves=curves,
        )


# Σ ln(t) and Σ ln(t)² over course sessions 2..n, for a complete episode of n sessions.
_LOG_SUMS = [sum(LOG_TABLE[2 : n + 1]) for n in range(LOG_TABLE_SIZE)]
_LOG_SQUARES = [sumprod(LOG_TABLE[2 : n + 1], LOG_TABLE[2 : n + 1]) for n in range(LOG_TABLE_SIZE)]


def _complete_course_sums(values: list[int | None]) -> EpisodeSums | None:
    # ``episode_sums`` for scores at consecutive sessions with none missing: the ln(t) weights
    # are then the same for every such episode, and only the sums of the scores are left.
    n = len(values)
    intake = values[0]
    if n < 2 or intake is None:
        return None
    later: list[int] = values[1:]  # type: ignore[assignment]
    return (
        n - 1,
        _LOG_SUMS[n],
        _LOG_SQUARES[n],
        float(sum(later)),
        sumprod(LOG_TABLE[2 : n + 1], later),
        float(sumprod(later, later)),
        float(intake),
    )


def _accumulate(episodes: Sequence[Episode]) -> NormsAccumulator:
    accumulator = NormsAccumulator()
    for episode in episodes:
        accumulator.add(episode)
    return accumulator


def practice_norms_fit(
    episodes: Sequence[Episode], settings: SignalSettings, *, workers: int = 1
) -> PracticeNorms:
    """The practice's norms from every episode, in one pass (split over ``workers`` processes
    when asked: partial sums merge, so the split changes the result only by floating-point
    rounding)."""
    parts = map_chunks(_accumulate, episodes, workers=workers)
    accumulator = parts[0]
    for part in parts[1:]:
        accumulator.merge(part)
    return accumulator.finish(settings)
