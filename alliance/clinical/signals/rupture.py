"""Ruptures in the working alliance, and whether they were repaired.

Published self-report rules disagree and flag different cases (Gumz et al. 2012), so each rule
gives its own signal and the Django side shows which fired. One session can give several
rupture signals (say a percent drop and a tension report): they are one rupture, several
reasons. Repair is judged once per rupture session, however many rules fired there.

"The previous session" is the previous session with a client alliance score: a session without a
check-in is skipped, not treated as a fall to nothing. Repair windows count session numbers, so
the Django side passes every held session, with None where nothing was answered.
"""

import math
from collections.abc import Sequence
from operator import sub
from typing import NamedTuple

from alliance.clinical.signals.model import Context, Scalar, SessionPoint, Signal
from alliance.clinical.signals.norms import sample_sd
from alliance.clinical.signals.references import (
    CLIENT_REPORT,
    NO_REPAIR_IN_WINDOW,
    PERCENT_DROP,
    SCORE_RECOVERED,
    SD_DROP,
    SOURCES,
    TALKED_THROUGH,
    THERAPIST_REPORT,
    rule_parameters,
)

# A fall of exactly 15% must count (20 to 17 is 3 = 0.15 x 20), and 0.15 x 20 in binary floating
# point is not exactly 3; the tolerance is far below the smallest real difference (1 point).
_TOLERANCE = 1e-9

# ac_repair is asked only when ac_tension is at least this (its asked_if in alliance_client.toml).
REPAIR_ASKED_FROM_TENSION = 1

DROP_RULES = frozenset({PERCENT_DROP, SD_DROP})


class Rupture(NamedTuple):
    """A session with one or more rupture signals."""

    position: int  # index in the series
    session: int
    before: int | None  # the previous scored session's client alliance: the pre-rupture level
    score: int | None  # the client alliance at the rupture session
    dropped: bool  # whether a score rule (percent or SD drop) fired, not only a report
    signals: tuple[Signal, ...]


def find_ruptures(series: Sequence[SessionPoint], context: Context) -> list[Rupture]:
    """Every rupture in the series, in session order, with the signals of each rule that fired."""
    settings = context.settings
    fraction = settings.rupture_percent_drop
    tension = settings.tension_at_least
    practice_sd = context.norms.change_sd
    # The stricter threshold is k·max(own SD, practice SD), so a fall must first beat
    # k·practice SD; most do not, and then the client's own SD is never computed.
    practice_threshold = (
        settings.sd_multiplier * practice_sd if practice_sd is not None else math.inf
    )
    ruptures: list[Rupture] = []
    previous: int | None = None
    previous_index = 0
    for index, point in enumerate(series):
        score = point.client_alliance
        found: list[Signal] | None = None
        # The common case (no fall, no tension) takes only the comparisons on this path; the
        # signals are built in helpers. tension_at_least is 1 or 2, so "(x or 0) >= tension" is
        # "reported, and at least that" without a separate None test.
        if score is not None and previous is not None:
            drop = previous - score
            if drop > 0 and (drop >= fraction * previous - _TOLERANCE or drop > practice_threshold):
                found = _drop_signals(series, index, previous_index, context)
        if (point.client_tension or 0) >= tension or (point.therapist_tension or 0) >= tension:
            reports = _report_signals(point, tension, context)
            found = [*found, *reports] if found else reports
        if found:
            dropped = found[0].rule in DROP_RULES
            ruptures.append(Rupture(index, point.number, previous, score, dropped, tuple(found)))
        if score is not None:
            previous = score
            previous_index = index
    return ruptures


def _drop_signals(
    series: Sequence[SessionPoint], index: int, previous_index: int, context: Context
) -> list[Signal]:
    settings = context.settings
    parameters = rule_parameters(settings)
    point, before = series[index], series[previous_index]
    score, previous = point.client_alliance, before.client_alliance
    assert score is not None
    assert previous is not None
    drop = previous - score
    found: list[Signal] = []
    # Strauss et al. 2006 (15%, unconfirmed).
    if drop >= settings.rupture_percent_drop * previous - _TOLERANCE:
        found.append(
            Signal(
                "rupture",
                point.number,
                PERCENT_DROP,
                parameters[PERCENT_DROP],
                {
                    "previous_session": before.number,
                    "previous": previous,
                    "score": score,
                    "drop": drop,
                    "drop_fraction": drop / previous,
                },
                SOURCES[PERCENT_DROP],
            )
        )
    # Stiles et al. 2004; Gumz et al. 2012: only once the client has a history of their own, and
    # only with the practice's SD as the floor (unknown until the practice has data). The own SD
    # is of the changes before this one: the change under test must not widen the SD it is
    # tested against, or a large fall would hide itself. Computed here, for the few falls that
    # get this far, rather than kept up to date at every session.
    practice_sd = context.norms.change_sd
    if practice_sd is None:
        return found
    earlier = [p.client_alliance for p in series[:index] if p.client_alliance is not None]
    changes = len(earlier) - 1
    if changes < settings.min_own_changes:
        return found
    # By hand: statistics.stdev works in exact fractions and costs more than everything else
    # here put together; the changes are small integers, so the sums are exact anyway.
    deltas = list(map(sub, earlier[1:], earlier[:-1]))
    total = sum(deltas)
    squares = sum(delta * delta for delta in deltas)
    own_sd = sample_sd(changes, total, squares)
    k = settings.sd_multiplier
    threshold = k * max(own_sd, practice_sd)
    if drop > threshold:
        found.append(
            Signal(
                "rupture",
                point.number,
                SD_DROP,
                parameters[SD_DROP],
                {
                    "previous_session": before.number,
                    "previous": previous,
                    "score": score,
                    "drop": drop,
                    "own_sd": own_sd,
                    "own_changes": changes,
                    "practice_sd": practice_sd,
                    "threshold": threshold,
                    "threshold_from": "own" if own_sd > practice_sd else "practice",
                },
                SOURCES[SD_DROP],
            )
        )
    return found


def _report_signals(point: SessionPoint, tension: int, context: Context) -> list[Signal]:
    parameters = rule_parameters(context.settings)
    found: list[Signal] = []
    if point.client_tension is not None and point.client_tension >= tension:
        found.append(
            Signal(
                "rupture",
                point.number,
                CLIENT_REPORT,
                parameters[CLIENT_REPORT],
                {
                    "client_tension": point.client_tension,
                    "client_repair": point.client_repair,
                    "score": point.client_alliance,
                },
                SOURCES[CLIENT_REPORT],
            )
        )
    if point.therapist_tension is not None and point.therapist_tension >= tension:
        # domain.md §3: "the client (or therapist) says there was tension".
        found.append(
            Signal(
                "rupture",
                point.number,
                THERAPIST_REPORT,
                parameters[THERAPIST_REPORT],
                {"therapist_tension": point.therapist_tension, "score": point.client_alliance},
                SOURCES[THERAPIST_REPORT],
            )
        )
    return found


def ruptures_of(series: Sequence[SessionPoint], context: Context) -> list[Rupture]:
    """``find_ruptures``, computed once per series and context: three detectors need them."""
    cached = context.memo.get("ruptures")
    # The memo keeps the series itself, not its id(): an id can be reused once an object is gone.
    if isinstance(cached, tuple) and cached[0] is series:
        ruptures: list[Rupture] = cached[1]
        return ruptures
    ruptures = find_ruptures(series, context)
    context.memo["ruptures"] = (series, ruptures)
    return ruptures


def detect_rupture(series: Sequence[SessionPoint], context: Context) -> list[Signal]:
    """Kind ``rupture``, rules ``percent_drop``, ``sd_drop``, ``client_report`` and
    ``therapist_report``: one signal per rule that fired at a session."""
    return [signal for rupture in ruptures_of(series, context) for signal in rupture.signals]


def _repair_answer(point: SessionPoint) -> int | None:
    """ac_repair, when it was asked: an answer stored after "No tension" (before such answers
    were refused) says nothing about talking a tension through."""
    tension = point.client_tension
    return (
        point.client_repair
        if tension is not None and tension >= REPAIR_ASKED_FROM_TENSION
        else None
    )


def detect_repair(series: Sequence[SessionPoint], context: Context) -> list[Signal]:
    """Kinds ``repair`` (rules ``score_recovered``, ``talked_through``) and
    ``unrepaired_rupture`` (rule ``no_repair_in_window``).

    A rupture at session s is repaired at the first session up to s + window where either
    - the client alliance is back to at least the pre-rupture level (the previous scored
      session's, or the rupture session's own when there was none) with no tension reported at
      that session (a later session only: the rupture session cannot repair itself by score), or
    - the client says the tension was talked through well (at s itself or later).
    Both rules holding at that session give two signals. With no repair, the window closes at the
    first session numbered s + window or later, where ``unrepaired_rupture`` is signalled. Before
    that the rupture is still open and gives neither.

    A rupture that comes while an earlier one is still open (not yet repaired, window not yet
    closed) is a further fall from an already ruptured level, so it keeps the earlier rupture's
    pre-rupture level: climbing back to the lower score in between is not a repair.
    """
    ruptures = ruptures_of(series, context)
    if not ruptures:
        return []
    settings = context.settings
    window = settings.repair_window
    through = settings.talked_through_at_least
    tension = settings.tension_at_least
    parameters = rule_parameters(settings)
    signals: list[Signal] = []
    length = len(series)
    # The last rupture's pre-rupture level, and the session until which it stays open.
    chain_reference: int | None = None
    chain_open_until = -1
    for rupture in ruptures:
        reference = rupture.before if rupture.before is not None else rupture.score
        if rupture.session <= chain_open_until and chain_reference is not None:
            reference = chain_reference if reference is None else max(reference, chain_reference)
        closes = rupture.session + window
        best: int | None = None
        repaired_at: int | None = None
        closed_at: int | None = None
        for index in range(rupture.position, length):
            point = series[index]
            if point.number > closes:
                closed_at = point.number
                break
            rules: list[str] = []
            repair = _repair_answer(point)
            if repair is not None and repair >= through:
                rules.append(TALKED_THROUGH)
            score = point.client_alliance
            if index > rupture.position and score is not None:
                best = score if best is None or score > best else best
                no_tension = point.client_tension is None or point.client_tension < tension
                if reference is not None and score >= reference and no_tension:
                    rules.append(SCORE_RECOVERED)
            if rules:
                for rule in rules:
                    evidence: dict[str, Scalar] = {
                        "rupture_session": rupture.session,
                        "reference": reference,
                        "score": score,
                        "client_repair": repair,
                        "sessions_after": point.number - rupture.session,
                    }
                    signals.append(
                        Signal(
                            "repair", point.number, rule, parameters[rule], evidence, SOURCES[rule]
                        )
                    )
                repaired_at = point.number
                break
            if point.number == closes:
                closed_at = point.number
                break
        chain_reference = reference
        # Open up to the session before its repair (a rupture at the repair session itself is
        # after it), or to the close of its window.
        chain_open_until = closes if repaired_at is None else repaired_at - 1
        if repaired_at is not None or closed_at is None:
            continue
        signals.append(
            Signal(
                "unrepaired_rupture",
                closed_at,
                NO_REPAIR_IN_WINDOW,
                parameters[NO_REPAIR_IN_WINDOW],
                {
                    "rupture_session": rupture.session,
                    "reference": reference,
                    "best_score_in_window": best,
                    "window_closed_at": closed_at,
                },
                SOURCES[NO_REPAIR_IN_WINDOW],
            )
        )
    return signals
