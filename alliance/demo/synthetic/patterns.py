"""The demo therapist's guaranteed cases: one client for each pattern the relationship engine flags.

A random caseload of a dozen clients may by chance hold no unrepaired rupture or no risk answer,
so the demo does not leave it to chance: ``demo_practice_history`` is ``practice_history`` with
the first clients of therapist 0 replaced by these hand-shaped episodes. Each is a plain, steady
course (small wobbles that no rule flags) with one clear departure, built to be unmistakable
under the engine's default rules (docs/signals.md). docs/demo-model.md describes each one.

All are ongoing, weekly, with their last session in the week before ``end``, so the demo caseload
looks current. The cases whose alert comes from the symptom measures (risk, not on track,
reliable deterioration) keep an unbroken week-by-week course whose last session is one at which
the default plan asks the monthly PHQ-9 and GAD-7 (the 1st, 5th, 9th, 13th...). Noise comes
from ``random.Random`` seeded from the practice's seed.
"""

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from alliance.demo.synthetic.answers import Series, render, rses_due
from alliance.demo.synthetic.model import (
    CLIENT_MEAN,
    CLIENT_SD_BETWEEN,
    CLIENT_TOTALS,
    RSES_GAIN,
    RSES_TOTALS,
    THERAPIST_MEAN,
    THERAPIST_SD_BETWEEN,
    EpisodeTruth,
    RuptureTruth,
    SyntheticEpisode,
    client_key,
    course_fraction,
    practice_history,
    response_for,
)

Pattern = Literal[
    "risk",
    "unrepaired_rupture",
    "repaired_rupture",
    "unseen_rupture",
    "persistent_gap",
    "not_on_track",
    "reliable_deterioration",
    "low_alliance",
    "no_improvement",
]
PATTERNS: tuple[Pattern, ...] = (
    "risk",
    "unrepaired_rupture",
    "repaired_rupture",
    "unseen_rupture",
    "persistent_gap",
    "not_on_track",
    "reliable_deterioration",
    "low_alliance",
    "no_improvement",
)

# The signal kinds (alliance.care AlertKind, plus "repair") each case is built to raise, at least.
# The deteriorating client will usually be not on track as well.
SIGNALS: Mapping[Pattern, frozenset[str]] = {
    "risk": frozenset({"risk"}),
    "unrepaired_rupture": frozenset({"rupture", "unrepaired_rupture"}),
    "repaired_rupture": frozenset({"rupture", "repair"}),
    "unseen_rupture": frozenset({"rupture", "disagreement"}),
    "persistent_gap": frozenset({"disagreement"}),
    "not_on_track": frozenset({"not_on_track"}),
    "reliable_deterioration": frozenset({"reliable_deterioration"}),
    "low_alliance": frozenset({"low_alliance"}),
    "no_improvement": frozenset({"no_improvement"}),
}

# The cases whose alert comes from PHQ-9 or GAD-7, asked monthly: four weeks, four sessions.
SYMPTOM_PATTERNS: frozenset[Pattern] = frozenset(
    {"risk", "not_on_track", "reliable_deterioration", "no_improvement"}
)

# Tension answers for a session: client tension, client repair, therapist tension, therapist repair.
Tension = tuple[int, int | None, int, int | None]
NO_TENSION: Tension = (0, None, 0, None)


def demo_practice_history(
    *, seed: int, therapists: int, clients_per_therapist: int, end: date, months: int = 12
) -> list[SyntheticEpisode]:
    """``practice_history`` with therapist 0's first clients replaced by one of each pattern."""
    if clients_per_therapist < len(PATTERNS):
        raise ValueError(f"the demo therapist needs at least {len(PATTERNS)} clients")
    episodes = practice_history(
        seed=seed,
        therapists=therapists,
        clients_per_therapist=clients_per_therapist,
        end=end,
        months=months,
    )
    own = episodes[0].truth
    cases = guaranteed_demo_cases(
        seed=seed, end=end, leniency=own.therapist_leniency, effect=own.therapist_effect
    )
    return cases + episodes[len(cases) :]


def guaranteed_demo_cases(
    *, seed: int, end: date, leniency: float = 0.0, effect: float = 0.0
) -> list[SyntheticEpisode]:
    """One episode per pattern, for therapist 0, keyed t0-c01, t0-c02, ... in PATTERNS order.

    ``leniency`` is the therapist's rating offset in practice_history, so that "the therapist's
    usual level" here is the one their other clients show."""
    rng = random.Random(f"{seed}:demo-cases")  # noqa: S311 -- demo data, not secrets
    usual = round(THERAPIST_MEAN + leniency)
    return [
        _BUILDERS[pattern](_Case(rng, end, usual, leniency, effect, pattern, number)).episode()
        for number, pattern in enumerate(PATTERNS, start=1)
    ]


@dataclass
class _Case:
    """Shared material for one hand-shaped episode, filled in by a builder."""

    rng: random.Random
    end: date
    usual: int  # the therapist's usual rating
    leniency: float
    effect: float
    pattern: Pattern
    number: int
    client: Sequence[int] = ()
    therapist: Sequence[int] = ()
    phq9: Sequence[int] = ()
    gad7: Sequence[int] = ()
    tensions: dict[int, Tension] | None = None
    item9: dict[int, int] | None = None
    ruptures: tuple[RuptureTruth, ...] = ()

    def steady(self, level: int, sessions: int) -> list[int]:
        """A level with wobbles of a point now and then, far below any rupture rule."""
        highest = CLIENT_TOTALS[1]
        return [min(level + self.rng.choice((-1, 0, 0, 0, 1)), highest) for _ in range(sessions)]

    def course(self, first: int, last: int, sessions: int) -> list[int]:
        """From ``first`` at intake to ``last`` at the last session, log-linear (Finch, Lambert
        & Schaalje 2001) with a point of wobble in between; both ends exact."""
        values = [first]
        for number in range(2, sessions):
            along = math.log(number) / math.log(sessions)
            values.append(round(first + (last - first) * along) + self.rng.choice((-1, 0, 1)))
        values.append(last)
        return [max(value, 0) for value in values]

    def days(self, sessions: int) -> list[date]:
        """Weekly, perhaps one missed week early on, the last session in the week before end."""
        last = self.end - timedelta(days=self.rng.randrange(5))
        last -= timedelta(days=max(last.weekday() - 4, 0))
        gaps = [7] * (sessions - 1)
        # A missed week would move the monthly symptom measures off the last session.
        if self.pattern not in SYMPTOM_PATTERNS and self.rng.random() < 0.5:
            gaps[self.rng.randrange(len(gaps) // 2)] = 14
        first = last - timedelta(days=sum(gaps))
        days = [first]
        for gap in gaps:
            days.append(days[-1] + timedelta(days=gap))
        return days

    def episode(self) -> SyntheticEpisode:
        n = len(self.client)
        assert len(self.therapist) == len(self.phq9) == len(self.gad7) == n
        days = self.days(n)
        tensions = [(self.tensions or {}).get(number, NO_TENSION) for number in range(1, n + 1)]
        item9 = [(self.item9 or {}).get(number, 0) for number in range(1, n + 1)]
        improvement = (self.phq9[0] - self.phq9[-1]) / self.phq9[0] / course_fraction(n)
        rses_first = 12
        lowest, highest = RSES_TOTALS
        rses = [
            min(
                max(round(rses_first + RSES_GAIN * improvement * course_fraction(k)), lowest),
                highest,
            )
            if due
            else None
            for k, due in enumerate(rses_due(days), start=1)
        ]
        series = Series(
            days=days,
            client=list(self.client),
            client_tension=[tension[0] for tension in tensions],
            client_repair=[tension[1] for tension in tensions],
            therapist=list(self.therapist),
            therapist_tension=[tension[2] for tension in tensions],
            therapist_repair=[tension[3] for tension in tensions],
            phq9=list(self.phq9),
            phq9_item9=item9,
            gad7=list(self.gad7),
            rses=rses,
        )
        mean_client = sum(self.client) / n
        mean_therapist = sum(self.therapist) / n
        return SyntheticEpisode(
            client_key=client_key(0, self.number),
            therapist_index=0,
            sessions=render(self.rng, series),
            truth=EpisodeTruth(
                alliance_level=(mean_client - CLIENT_MEAN) / CLIENT_SD_BETWEEN,
                therapist_view=(mean_therapist - THERAPIST_MEAN - self.leniency)
                / THERAPIST_SD_BETWEEN,
                therapist_leniency=self.leniency,
                therapist_effect=self.effect,
                response=response_for(improvement),
                improvement=improvement,
                intake_phq9=self.phq9[0],
                intake_gad7=self.gad7[0],
                intake_rses=rses_first,
                status="ongoing",
                cadence_days=7,
                ruptures=self.ruptures,
                risk_sessions=tuple(k for k, value in enumerate(item9, start=1) if value),
                pattern=self.pattern,
            ),
        )


def _risk(case: _Case) -> _Case:
    """A client improving from a severe start who, at the latest session (the ninth, which asks
    PHQ-9), answers item 9 "Several days" in a bad week (total back up to 16): the risk alert
    must be at the top."""
    n = 9
    case.client = case.steady(29, n)
    case.therapist = case.steady(case.usual + 1, n)
    case.phq9 = [*case.course(19, 14, n - 1), 16]
    case.gad7 = case.course(14, 10, n)
    case.item9 = {n: 1}
    return case


def _unrepaired_rupture(case: _Case) -> _Case:
    """Steady at 30, then at session 8 a fall to 22 (27%, far past the 15% rule and any SD rule),
    tension "Yes", "We didn't talk about it"; the four sessions since stay at 22-24, well below
    30, and the therapist saw it but it was "not well" talked through. Both note "a little"
    tension again the session after. PHQ-9 had improved reliably (17 to 10) and stalls after it."""
    at = 8  # of 12 sessions
    case.client = [*case.steady(30, at - 2), 30, 22, 23, 22, 24, 23]
    case.therapist = [*case.steady(case.usual, at - 1), case.usual - 2, *[case.usual - 1] * 4]
    case.tensions = {at: (2, 0, 1, 1), at + 1: (1, 0, 1, 1)}
    case.phq9 = [*case.course(17, 10, at - 1), 11, 10, 11, 11, 11]
    case.gad7 = [*case.course(12, 9, at - 1), 10, 9, 10, 10, 9]
    case.ruptures = (RuptureTruth(at, 8 / 30, 2, True, False, None, False),)
    return case


def _repaired_rupture(case: _Case) -> _Case:
    """Steady at 29, then at session 7 a fall to 22 (24%) with tension "Yes" talked through
    "Very well"; 27 the next session and 30 the one after (above the pre-rupture 29: the V shape
    of Stiles et al. 2004), then steady. The therapist noticed it too. A good outcome follows."""
    n, at = 14, 7
    case.client = [*case.steady(29, at - 2), 29, 22, 27, 30, *case.steady(30, n - at - 2)]
    case.therapist = [
        *case.steady(case.usual, at - 1),
        case.usual - 2,
        case.usual,
        *case.steady(case.usual + 1, n - at - 1),
    ]
    case.tensions = {at: (2, 4, 1, 4)}
    case.phq9 = case.course(17, 7, n)
    case.gad7 = case.course(13, 5, n)
    case.ruptures = (RuptureTruth(at, 7 / 29, 2, True, True, at + 2, True),)
    return case


def _unseen_rupture(case: _Case) -> _Case:
    """A rupture the therapist did not see: steady at 30, then at the second-to-last session the
    client falls to 24 (20%) and reports "A little" tension, while the therapist rates the
    session 4 points above their usual (and above anything they gave this client before) and
    notices no tension. Partly back (27) at the last session: too soon to call it repaired."""
    n, at = 10, 9
    case.client = [*case.steady(30, at - 2), 30, 24, 27]
    case.therapist = [*case.steady(case.usual + 1, at - 1), case.usual + 4, case.usual + 1]
    case.tensions = {at: (1, 0, 0, None)}
    case.phq9 = case.course(15, 10, n)
    case.gad7 = case.course(11, 8, n)
    case.ruptures = (RuptureTruth(at, 6 / 30, 1, False, False, None, False),)
    return case


def _persistent_gap(case: _Case) -> _Case:
    """Every session the client rates 33-35 and the therapist 5 points below their usual: a gap
    of about 13 points, against a practice gap of about 2 (Tryon et al. 2007: d = .63). It is
    larger than usual however the gap is read: signed or absolute, or as a departure from the
    usual gap. No tension on either side."""
    n = 10
    case.client = case.steady(34, n)
    case.therapist = case.steady(case.usual - 5, n)
    case.phq9 = case.course(14, 9, n)
    case.gad7 = case.course(10, 7, n)
    return case


def _not_on_track(case: _Case) -> _Case:
    """PHQ-9 17 at intake rising to 21 by session 13 (the last, which asks it), where a log-linear
    improving course expects about 10: far above any tolerance bound. +4 on PHQ-9 and +2 on GAD-7
    stay short of reliable deterioration (6 and 4 points), so this client is not on track and
    nothing more."""
    n = 13
    case.client = case.steady(27, n)
    case.therapist = case.steady(case.usual, n)
    case.phq9 = case.course(17, 21, n)
    case.gad7 = case.course(12, 14, n)
    return case


def _reliable_deterioration(case: _Case) -> _Case:
    """PHQ-9 10 -> 17 (+7, reliable at 6) and GAD-7 8 -> 13 (+5, reliable at 4): reliable
    deterioration on both measures (NHS Talking Therapies Manual), with a steady alliance. Steady
    for ten sessions, then worse in the last three, so the deterioration is reached at the last
    session (the thirteenth: the default plan asks these measures monthly, at the 1st, 5th, 9th
    and 13th), within the alerts' look-back whatever day the demo is loaded."""
    n = 13
    case.client = case.steady(27, n)
    case.therapist = case.steady(case.usual, n)
    case.phq9 = [10, *case.steady(10, 9), 12, 14, 17]
    case.gad7 = [8, *case.steady(8, 9), 9, 11, 13]
    return case


def _low_alliance(case: _Case) -> _Case:
    """A new client who rates the relationship low from the first check-in: 15, 14, 16 (most
    answers "A little"), no tension reported, while the therapist rates as usual. Three weekly
    sessions, so the first check-in, where the signal arises, is within the alerts' look-back."""
    n = 3
    case.client = [15, 14, 16]
    case.therapist = case.steady(case.usual, n)
    case.phq9 = case.course(13, 12, n)
    case.gad7 = case.course(10, 9, n)
    return case


def _no_improvement(case: _Case) -> _Case:
    """PHQ-9 14 and GAD-7 10 at intake, both in the clinical range, and the same or within a
    point at sessions 5 and 9 (asked monthly): no reliable improvement by session 8, judged at
    the 9th, the latest. Still under the default curve's bound (15.1 and 11.3 at session 9), so
    this client is not on track by that rule yet: the stuck signal is the one that speaks."""
    n = 9
    case.client = case.steady(29, n)
    case.therapist = case.steady(case.usual, n)
    case.phq9 = [14, *case.steady(14, 3), 13, *case.steady(13, 3), 14]
    case.gad7 = [10, *case.steady(10, 3), 10, *case.steady(10, 3), 10]
    return case


_BUILDERS: dict[Pattern, Callable[[_Case], _Case]] = {
    "risk": _risk,
    "unrepaired_rupture": _unrepaired_rupture,
    "repaired_rupture": _repaired_rupture,
    "unseen_rupture": _unseen_rupture,
    "persistent_gap": _persistent_gap,
    "not_on_track": _not_on_track,
    "reliable_deterioration": _reliable_deterioration,
    "low_alliance": _low_alliance,
    "no_improvement": _no_improvement,
}
