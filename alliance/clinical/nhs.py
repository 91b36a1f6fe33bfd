"""NHS Talking Therapies paired outcomes, from first and last PHQ-9 and GAD-7 totals.

Source: the NHS Talking Therapies for anxiety and depression Manual (formerly the IAPT Manual),
which defines caseness, reliable change, recovery, reliable improvement, reliable deterioration
and reliable recovery for episodes that finished a course of treatment. The thresholds were
confirmed via a quote of the IAPT Manual; the "no reliable change the other way on the other
measure" clauses of reliable improvement and deterioration are **unconfirmed** against the primary
source, so they live in ``reliable_improvement`` and ``reliable_deterioration`` only.

Every threshold is a keyword argument with the Manual's figure as its default, so the shell can
make it a setting. Recovery is only defined for episodes that were a case at the start: for the
others ``recovered`` and ``reliable_recovery`` are None ("not applicable"), never False, so that a
recovery rate is counted over cases only, as the Manual counts it.
"""

from dataclasses import dataclass

from alliance.clinical.change import Direction, reliable_change_direction

# NHS Talking Therapies Manual: caseness is PHQ-9 >= 10 or GAD-7 >= 8; a reliable change is a
# change of at least 6 points on PHQ-9 and at least 4 on GAD-7; an episode counts when it had at
# least two treatment sessions.
PHQ9_CASENESS = 10
GAD7_CASENESS = 8
PHQ9_RELIABLE_CHANGE = 6
GAD7_RELIABLE_CHANGE = 4
MIN_SESSIONS = 2
PHQ9_MAX = 27
GAD7_MAX = 21


@dataclass(frozen=True, slots=True)
class NhsOutcome:
    """One episode's outcome. Every field but ``eligible`` is None when it is not eligible;
    ``recovered`` and ``reliable_recovery`` are also None when it was not a case at the start."""

    eligible: bool
    caseness_at_start: bool | None
    recovered: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    reliable_recovery: bool | None


def is_case(
    phq9: int, gad7: int, *, phq9_caseness: int = PHQ9_CASENESS, gad7_caseness: int = GAD7_CASENESS
) -> bool:
    """NHS Talking Therapies Manual: a case scores at or above caseness on either measure."""
    return phq9 >= phq9_caseness or gad7 >= gad7_caseness


def recovered(
    *,
    phq9_first: int,
    phq9_last: int,
    gad7_first: int,
    gad7_last: int,
    phq9_caseness: int = PHQ9_CASENESS,
    gad7_caseness: int = GAD7_CASENESS,
) -> bool | None:
    """NHS Talking Therapies Manual: a case at the first measure, below caseness on both measures
    at the last. None when not a case at the start: recovery does not apply."""
    thresholds = {"phq9_caseness": phq9_caseness, "gad7_caseness": gad7_caseness}
    if not is_case(phq9_first, gad7_first, **thresholds):
        return None
    return not is_case(phq9_last, gad7_last, **thresholds)


def reliable_improvement(*, phq9: Direction, gad7: Direction) -> bool:
    """NHS Talking Therapies Manual: a reliable decrease on at least one measure and no reliable
    increase on the other. The second clause is unconfirmed against the Manual."""
    directions = (phq9, gad7)
    return "improved" in directions and "deteriorated" not in directions


def reliable_deterioration(*, phq9: Direction, gad7: Direction) -> bool:
    """NHS Talking Therapies Manual: a reliable increase on at least one measure and no reliable
    decrease on the other. The second clause is unconfirmed against the Manual."""
    directions = (phq9, gad7)
    return "deteriorated" in directions and "improved" not in directions


def reliable_recovery(*, recovered: bool | None, reliable_improvement: bool) -> bool | None:
    """NHS Talking Therapies Manual: recovery and reliable improvement together; None where
    recovery does not apply."""
    if recovered is None:
        return None
    return recovered and reliable_improvement


def nhs_outcome(
    *,
    phq9_first: int | None,
    phq9_last: int | None,
    gad7_first: int | None,
    gad7_last: int | None,
    sessions: int,
    phq9_caseness: int = PHQ9_CASENESS,
    gad7_caseness: int = GAD7_CASENESS,
    phq9_reliable_change: int = PHQ9_RELIABLE_CHANGE,
    gad7_reliable_change: int = GAD7_RELIABLE_CHANGE,
    min_sessions: int = MIN_SESSIONS,
) -> NhsOutcome:
    """The Manual's paired outcomes for one episode.

    Only an episode that finished a course of treatment counts: at least ``min_sessions``
    treatment sessions, with first and last scores on both measures (NHS Talking Therapies
    Manual). ``first`` and ``last`` are the first and last scores of the episode.
    """
    if sessions < 0:
        raise ValueError(f"sessions cannot be negative, got {sessions}")
    for name, value, top in (
        ("phq9_first", phq9_first, PHQ9_MAX),
        ("phq9_last", phq9_last, PHQ9_MAX),
        ("gad7_first", gad7_first, GAD7_MAX),
        ("gad7_last", gad7_last, GAD7_MAX),
    ):
        if value is not None and not 0 <= value <= top:
            raise ValueError(f"{name} must be from 0 to {top}, got {value}")
    if (
        sessions < min_sessions
        or phq9_first is None
        or phq9_last is None
        or gad7_first is None
        or gad7_last is None
    ):
        return NhsOutcome(False, None, None, None, None, None)

    changes = {
        "phq9": reliable_change_direction(
            phq9_first, phq9_last, reliable_change=phq9_reliable_change, higher_is="worse"
        ),
        "gad7": reliable_change_direction(
            gad7_first, gad7_last, reliable_change=gad7_reliable_change, higher_is="worse"
        ),
    }
    did_recover = recovered(
        phq9_first=phq9_first,
        phq9_last=phq9_last,
        gad7_first=gad7_first,
        gad7_last=gad7_last,
        phq9_caseness=phq9_caseness,
        gad7_caseness=gad7_caseness,
    )
    improved = reliable_improvement(**changes)
    return NhsOutcome(
        eligible=True,
        caseness_at_start=is_case(
            phq9_first, gad7_first, phq9_caseness=phq9_caseness, gad7_caseness=gad7_caseness
        ),
        recovered=did_recover,
        reliable_improvement=improved,
        reliable_deterioration=reliable_deterioration(**changes),
        reliable_recovery=reliable_recovery(recovered=did_recover, reliable_improvement=improved),
    )
