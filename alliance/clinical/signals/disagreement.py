"""Client and therapist seeing the sessions differently (Tryon, Blackwell & Hammel 2007).

Clients usually rate the alliance higher than their therapists (d = .63) and the two views
correlate only r = .36, so a gap in itself is ordinary. Two patterns are worth a therapist's
attention: a rupture the therapist did not see, and a gap that stays far from the practice's
usual gap for several sessions running.
"""

from collections.abc import Sequence

from alliance.clinical.signals.context import Context
from alliance.clinical.signals.model import Scalar, SessionPoint, Signal, by_session
from alliance.clinical.signals.references import (
    PERSISTENT_GAP,
    SOURCES,
    UNSEEN_BY_THERAPIST,
    rule_parameters,
)
from alliance.clinical.signals.rupture import DROP_RULES, ruptures_of


def detect_disagreement(series: Sequence[SessionPoint], context: Context) -> list[Signal]:
    """Kind ``disagreement``, rules ``unseen_by_therapist`` and ``persistent_gap``."""
    signals = _unseen_by_therapist(series, context)
    signals.extend(_persistent_gap(series, context))
    if len(signals) > 1:
        signals.sort(key=by_session)
    return signals


def _unseen_by_therapist(series: Sequence[SessionPoint], context: Context) -> list[Signal]:
    """The client reported tension, or their score fell by a rupture rule, at a session where
    the therapist's own rating of this client did not fall from their previous rating of them
    and the therapist said there was no tension (at_tension 0; an
    unanswered at_tension is not "no tension").

    The therapist is compared with themselves, session to session, as the client is: a
    therapist who rates everyone high still saw the rupture if their rating of this client fell
    with the client's (30 to 24 while the client went 31 to 26)."""
    settings = context.settings
    signals: list[Signal] = []
    # Both client-side signs are ruptures (a client report or a drop rule), so only rupture
    # sessions need looking at, not every session.
    for rupture in ruptures_of(series, context):
        # A fall held over two sessions began at the first: what did the therapist see then?
        point = series[rupture.began]
        therapist = point.therapist_alliance
        if therapist is None or point.therapist_tension != 0:
            continue
        client_reported = (point.client_tension or 0) >= settings.tension_at_least
        if not (client_reported or rupture.dropped):
            continue
        before = next(
            (
                earlier
                for earlier in reversed(series[: rupture.began])
                if earlier.therapist_alliance is not None
            ),
            None,
        )
        if before is None:
            continue  # the therapist's first rating of this client: nothing to compare with
        previous = before.therapist_alliance
        assert previous is not None
        if therapist < previous:
            continue  # the therapist's rating fell too: they saw something
        drop_rules = ", ".join(
            signal.rule for signal in rupture.signals if signal.rule in DROP_RULES
        )
        signals.append(
            Signal(
                "disagreement",
                rupture.session,
                UNSEEN_BY_THERAPIST,
                rule_parameters(settings)[UNSEEN_BY_THERAPIST],
                {
                    "client_tension": point.client_tension,
                    "client_alliance": point.client_alliance,
                    "client_level": rupture.before,
                    "drop_rules": drop_rules or None,
                    "therapist_alliance": therapist,
                    "therapist_previous": previous,
                    "therapist_previous_session": before.number,
                    "therapist_tension": point.therapist_tension,
                },
                SOURCES[UNSEEN_BY_THERAPIST],
            )
        )
    return signals


def _persistent_gap(series: Sequence[SessionPoint], context: Context) -> list[Signal]:
    """The client-minus-therapist gap lies more than k SDs of the practice's gaps from the
    practice's mean gap, on the same side, at ``gap_consecutive`` sessions in a row (counting
    only sessions both rated). Signalled once per run, at the session that completes it.

    Either side counts. Client far lower than usual relative to the therapist: the therapist may
    be overrating the sessions (the pattern Tryon et al. warn about). Client far higher: the
    therapist may be underrating them, which is worth a look in supervision too. The evidence
    says which.
    """
    norms = context.norms
    mean, sd = norms.gap_mean, norms.gap_sd
    if mean is None or sd is None or not sd > 0:
        return []
    settings = context.settings
    k, needed = settings.gap_sd_multiplier, settings.gap_consecutive
    limit = k * sd
    # Usually every session is rated by both and no gap is far enough from the mean for a run
    # to start, which min() and max() tell without the loop below (a None raises TypeError).
    try:
        gaps = [point.client_alliance - point.therapist_alliance for point in series]  # type: ignore[operator]
        if not gaps or (max(gaps) - mean <= limit and mean - min(gaps) <= limit):
            return []
    except TypeError:
        pass
    signals: list[Signal] = []
    side, run, run_start, run_gap_sum = 0, 0, 0, 0
    for point in series:
        client, therapist = point.client_alliance, point.therapist_alliance
        if client is None or therapist is None:
            continue
        gap = client - therapist
        distance = gap - mean
        here = 1 if distance > limit else -1 if distance < -limit else 0
        if here == 0:
            side, run = 0, 0
            continue
        if here == side:
            run += 1
            run_gap_sum += gap
        else:
            side, run, run_start, run_gap_sum = here, 1, point.number, gap
        if run == needed:
            evidence: dict[str, Scalar] = {
                "direction": "client_rates_higher" if side > 0 else "client_rates_lower",
                "run_start": run_start,
                "sessions": run,
                "gap": gap,
                "run_mean_gap": run_gap_sum / run,
                "practice_mean_gap": mean,
                "practice_gap_sd": sd,
                "norms_version": norms.version,
            }
            signals.append(
                Signal(
                    "disagreement",
                    point.number,
                    PERSISTENT_GAP,
                    rule_parameters(settings)[PERSISTENT_GAP],
                    evidence,
                    SOURCES[PERSISTENT_GAP],
                )
            )
    return signals
