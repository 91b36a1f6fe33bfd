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
from functools import lru_cache
from statistics import NormalDist
from typing import NamedTuple

from alliance.clinical.signals.context import Context
from alliance.clinical.signals.model import Scalar, SessionPoint, Signal
from alliance.clinical.signals.norms import sample_sd
from alliance.clinical.signals.references import (
    CLIENT_REPORT,
    HELD_DROP,
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
TOLERANCE = 1e-9

# ac_repair is asked only when ac_tension is at least this (enable_when in alliance_client.toml).
REPAIR_ASKED_FROM_TENSION = 1

DROP_RULES = frozenset({PERCENT_DROP, SD_DROP, HELD_DROP})


class Rupture(NamedTuple):
    """A session with one or more rupture signals."""

    position: int  # index in the series
    session: int
    began: int  # index of the session the fall began at: the one before, for a held fall
    before: float | None  # the client's level before the fall (``recent_level``)
    score: int | None  # the client alliance at the rupture session
    dropped: bool  # whether a score rule fired, not only a report
    signals: tuple[Signal, ...]


def recent_level(recent: Sequence[int]) -> float:
    """The client's level from their latest scores: the median (of an even number, the mean of
    the middle two). One unusually high or low rating moves a median little or not at all, so
    neither a fall nor a repair is measured from it."""
    ordered = sorted(recent)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@lru_cache(maxsize=8)
def held_multiplier(k: float) -> float:
    """The multiplier a fall held over two sessions in a row must pass at both: the one that
    makes two such sessions running as unlikely by chance as one fall past ``k`` (normal
    tails, sessions independent): P(Z > m)² = P(Z > k). For k = 2.5, m = 1.41."""
    normal = NormalDist()
    return normal.inv_cdf(1 - math.sqrt(1 - normal.cdf(k)))


# A clear fall within the one-session threshold, waiting for the next score: its index, the
# level it fell from and the client's spread then.
Waiting = tuple[int, float, float]


def find_ruptures(series: Sequence[SessionPoint], context: Context) -> list[Rupture]:
    """Every rupture in the series, in session order, with the signals of each rule that fired."""
    settings = context.settings
    fraction = settings.rupture_percent_drop
    tension = settings.tension_at_least
    practice_sd = context.norms.change_sd
    k = settings.sd_multiplier
    keep = settings.level_sessions
    ruptures: list[Rupture] = []
    recent: list[int] = []  # the latest scores since the last fall, at most ``keep``
    last_index = 0
    waiting: Waiting | None = None
    for index, point in enumerate(series):
        score = point.client_alliance
        found: list[Signal] | None = None
        level: float | None = None
        began = index
        # The common case (no fall, no tension) takes only the comparisons on this path; the
        # signals are built in helpers. tension_at_least is 1 or 2, so "(x or 0) >= tension" is
        # "reported, and at least that" without a separate None test.
        if score is not None and recent:
            level = recent_level(recent)
            drop = level - score
            held, waiting = waiting, None
            if held is not None and (found := _held_signals(series, index, held, context)):
                began, level = held[0], held[1]
            # Both one-session rules need at least a 15% fall or, with the practice's SD known,
            # a fall past k times it; a fall smaller than both cannot fire either.
            elif drop > 0 and (
                drop >= fraction * level - TOLERANCE
                or (practice_sd is not None and drop > k * practice_sd)
            ):
                found, spread = _drop_signals(series, index, last_index, level, ruptures, context)
                # A clear fall within the one-session threshold waits for the next score.
                clear = drop >= fraction * level - TOLERANCE
                if (
                    not found
                    and clear
                    and spread is not None
                    and drop > held_multiplier(k) * spread
                ):
                    waiting = (index, level, spread)
        if (point.client_tension or 0) >= tension or (point.therapist_tension or 0) >= tension:
            reports = _report_signals(point, tension, context)
            found = [*found, *reports] if found else reports
            waiting = None  # reported: a rupture already, not one to wait for
        if found:
            dropped = found[0].rule in DROP_RULES
            ruptures.append(
                Rupture(index, point.number, began, level, score, dropped, tuple(found))
            )
        if score is not None:
            # The level starts afresh at each rupture: staying down is the same rupture, and
            # only a further fall from the fallen scores is a new one.
            recent = [score] if found else [*recent[1 - keep :], score] if keep > 1 else [score]
            last_index = index
    return ruptures


def _held_signals(
    series: Sequence[SessionPoint], index: int, held: Waiting, context: Context
) -> list[Signal]:
    """``held_drop``: the score before fell clearly (15% or more) but within the one-session
    threshold, and this one is still down from the same level by 15% and past the held
    multiplier. A fall that lasts is less likely to be noise than one session's dip."""
    settings = context.settings
    began, level, spread = held
    score = series[index].client_alliance
    assert score is not None
    drop = level - score
    multiplier = held_multiplier(settings.sd_multiplier)
    if not (
        drop >= settings.rupture_percent_drop * level - TOLERANCE and drop > multiplier * spread
    ):
        return []
    first = series[began]
    return [
        Signal(
            "rupture",
            series[index].number,
            HELD_DROP,
            rule_parameters(settings)[HELD_DROP],
            {
                "began_session": first.number,
                "level": level,
                "first_score": first.client_alliance,
                "score": score,
                "drop": drop,
                "spread": spread,
                "threshold": multiplier * spread,
                "norms_version": context.norms.version,
            },
            SOURCES[HELD_DROP],
        )
    ]


def own_change_sd(
    series: Sequence[SessionPoint], index: int, ruptures: Sequence["Rupture"]
) -> tuple[float, int] | None:
    """The SD of the client's session-to-session changes before ``index``, and how many there
    were (None with fewer than two). The fall into an earlier rupture and the change after it
    are left out: they are the events the SD is meant to tell apart from ordinary variation,
    and one of them would otherwise hide the next rupture for the rest of the episode."""
    skip: set[int] = set()
    for rupture in ruptures:
        if rupture.dropped:
            skip.add(rupture.position)
            following = next(
                (
                    i
                    for i in range(rupture.position + 1, index)
                    if series[i].client_alliance is not None
                ),
                None,
            )
            if following is not None:
                skip.add(following)
    deltas: list[int] = []
    earlier: int | None = None
    for position in range(index):
        score = series[position].client_alliance
        if score is None:
            continue
        if earlier is not None and position not in skip:
            deltas.append(score - earlier)
        earlier = score
    changes = len(deltas)
    if changes < 2:
        return None
    # By hand: statistics.stdev works in exact fractions and costs more than everything else
    # here put together; the changes are small integers, so the sums are exact anyway.
    return sample_sd(changes, sum(deltas), sum(delta * delta for delta in deltas)), changes


def spread_of(own: float | None, changes: int, practice: float | None, weight: int) -> float | None:
    """The client's usual session-to-session spread: their own SD of changes pooled with the
    practice's, the practice's counting as ``weight`` changes (partial pooling). Early on it is
    mostly the practice's, and a few calm or stormy sessions do not swing it; with a long
    history it is mostly the client's own. Without a practice SD, the own SD once there are
    ``weight`` changes; else None."""
    if practice is None:
        return own if own is not None and changes >= weight else None
    if own is None:
        return practice
    return math.sqrt((changes * own * own + weight * practice * practice) / (changes + weight))


def _drop_signals(
    series: Sequence[SessionPoint],
    index: int,
    last_index: int,
    level: float,
    ruptures: Sequence[Rupture],
    context: Context,
) -> tuple[list[Signal], float | None]:
    """The one-session drop rules at a fall from the client's recent ``level``, and the
    client's spread (``spread_of``) they used.

    Both compare the fall with the client's spread of session-to-session changes: their own
    SD of the changes *before* this one (the change under test must not widen the SD it is
    tested against, or a large fall would hide itself), pooled with the practice's.
    - percent: at least 15% of the level (Strauss et al. 2006), and more than k times the
      spread. A volatile client's ordinary wobble reaches 15% of their level; it does not
      reach k times their own spread.
    - SD: more than k times the larger of the own and the practice SD (Stiles et al. 2004), so
      that a client with a very steady history does not turn every dip into a rupture; off
      until both are known and the client has ``min_own_changes`` changes.
    """
    settings = context.settings
    parameters = rule_parameters(settings)
    point = series[index]
    score = point.client_alliance
    assert score is not None
    drop = level - score
    k = settings.sd_multiplier
    practice_sd = context.norms.change_sd
    own = own_change_sd(series, index, ruptures)
    own_sd, own_changes = own if own is not None else (None, 0)
    enough_own = own_sd is not None and own_changes >= settings.min_own_changes
    spread = spread_of(own_sd, own_changes, practice_sd, settings.min_own_changes)
    version = context.norms.version
    common: dict[str, Scalar] = {
        "previous_session": series[last_index].number,
        "previous": series[last_index].client_alliance,
        "level": level,
        "score": score,
        "drop": drop,
    }
    found: list[Signal] = []
    if drop >= settings.rupture_percent_drop * level - TOLERANCE and (
        spread is None or drop > k * spread
    ):
        found.append(
            Signal(
                "rupture",
                point.number,
                PERCENT_DROP,
                parameters[PERCENT_DROP],
                {
                    **common,
                    "drop_fraction": drop / level,
                    "spread": spread,
                    "own_changes": own_changes,
                    "norms_version": version,
                },
                SOURCES[PERCENT_DROP],
            )
        )
    if practice_sd is None or own_sd is None or not enough_own:
        return found, spread
    threshold = k * max(own_sd, practice_sd)
    if drop > threshold:
        found.append(
            Signal(
                "rupture",
                point.number,
                SD_DROP,
                parameters[SD_DROP],
                {
                    **common,
                    "own_sd": own_sd,
                    "own_changes": own_changes,
                    "practice_sd": practice_sd,
                    "threshold": threshold,
                    "threshold_from": "own" if own_sd > practice_sd else "practice",
                    "norms_version": version,
                },
                SOURCES[SD_DROP],
            )
        )
    return found, spread


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
        # A direct report counts from either side (Post-Session Questionnaire idea, Muran & Safran).
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
    - the client alliance is back to at least the pre-rupture level (the client's recent level,
      the median of their last three scores before s, or the rupture session's own score when
      there were none) with no tension reported at that session (a later session only: the
      rupture session cannot repair itself by score), or
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
    chain_reference: float | None = None
    chain_open_until = -1
    practice_sd = context.norms.change_sd
    for number, rupture in enumerate(ruptures):
        reference: float | None = rupture.before if rupture.before is not None else rupture.score
        if rupture.session <= chain_open_until and chain_reference is not None:
            reference = chain_reference if reference is None else max(reference, chain_reference)
        closes = rupture.session + window
        # Back means back within one session's ordinary variation of the level: the level is
        # a median of noisy scores and the score that returns to it is noisy too. The spread is
        # of changes between sessions, √2 times the variation of one session.
        own = own_change_sd(series, rupture.position, ruptures[:number])
        spread = spread_of(
            own[0] if own else None, own[1] if own else 0, practice_sd, settings.min_own_changes
        )
        slack = spread if spread is not None else 0.0
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
                if reference is not None and score >= reference - slack and no_tension:
                    rules.append(SCORE_RECOVERED)
            if rules:
                for rule in rules:
                    evidence: dict[str, Scalar] = {
                        "rupture_session": rupture.session,
                        "reference": reference,
                        "score": score,
                        "client_repair": repair,
                        "sessions_after": point.number - rupture.session,
                        "slack": slack,
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
                    "slack": slack,
                },
                SOURCES[NO_REPAIR_IN_WINDOW],
            )
        )
    return signals
