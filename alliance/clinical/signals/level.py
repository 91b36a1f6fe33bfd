"""A relationship that is weak throughout, not only one that changes.

The rupture rules look for changes, tension reports and gaps, so a client who rates every
session 7 of 35 would raise nothing. A weak early alliance predicts dropout (Sharf, Primavera &
Diener 2010) and the alliance predicts outcome (Horvath et al. 2011): a steadily low rating is
worth acting on in itself.
"""

from collections.abc import Sequence

from alliance.clinical.signals.context import Context
from alliance.clinical.signals.model import SessionPoint, Signal
from alliance.clinical.signals.references import LOW_TOTAL, SOURCES, rule_parameters


def detect_low_alliance(series: Sequence[SessionPoint], context: Context) -> list[Signal]:
    """Kind ``low_alliance``, rule ``low_total``: the client's check-in total is at or below
    ``low_alliance_at_most`` at their first check-in, or at two check-ins in a row (sessions
    without a check-in are skipped). Once per run of low check-ins: a run that ends (a total
    above the level) and starts again is signalled again."""
    at_most = context.settings.low_alliance_at_most
    signals: list[Signal] = []
    previous: int | None = None
    previous_session = 0
    first = True
    signalled = False  # whether the current run of low check-ins has had its signal
    for point in series:
        score = point.client_alliance
        if score is None:
            continue
        if score > at_most:
            signalled = False
        elif not signalled and (first or (previous is not None and previous <= at_most)):
            signalled = True
            signals.append(
                Signal(
                    "low_alliance",
                    point.number,
                    LOW_TOTAL,
                    rule_parameters(context.settings)[LOW_TOTAL],
                    {
                        "score": score,
                        "previous": None if first else previous,
                        "previous_session": None if first else previous_session,
                        "first_check_in": first,
                    },
                    SOURCES[LOW_TOTAL],
                )
            )
        previous, previous_session, first = score, point.number, False
    return signals
