"""When a freshly fitted set of practice norms replaces the current one.

A refit moves the norms a little every night as sessions accrue. Adopting every such move would
change the evidence of every signal that compares with the norms, and now and then flip a
decision that nothing new about that client supports. So the nightly run fits a candidate and
adopts it only when the current norms are older than a period (a month by default) or when the
candidate differs from them by more than would plausibly change a decision (``RefitTolerance``;
docs/signals.md, "Stable norms and the nightly recompute", gives the reasons for each figure).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import NormalDist

from alliance.clinical.signals.expected import SCALE_MAXIMUM, ExpectedCurve
from alliance.clinical.signals.model import MEASURES
from alliance.clinical.signals.norms import PracticeNorms
from alliance.clinical.signals.parameters import SignalSettings


@dataclass(frozen=True, slots=True)
class RefitTolerance:
    """How far a candidate may differ from the current norms and still not be adopted."""

    # change_sd and gap_sd scale the rupture and disagreement thresholds (k x SD): 5% of a
    # threshold is a tenth of a point at the usual SDs of 2 to 3 points on the 7..35 total.
    relative_sd: float = 0.05
    # gap_mean shifts the disagreement band by itself; it sits near 0, where a relative change
    # means nothing, so it is measured against the gap SD (the band's own unit).
    gap_mean_of_sd: float = 0.05
    # The not-on-track bound, compared with whole-point scores, at the sessions and intakes
    # where a client in treatment is judged (intake from 5, mild, to the top of the scale).
    bound_points: float = 0.5
    first_session: int = 2
    last_session: int = 20
    lowest_intake: int = 5


def norms_moved(
    current: PracticeNorms,
    candidate: PracticeNorms,
    settings: SignalSettings,
    tolerance: RefitTolerance = RefitTolerance(),
) -> str | None:
    """Why the candidate differs from the current norms by more than the tolerance, or None."""
    for name in ("change_sd", "gap_sd"):
        was, now = getattr(current, name), getattr(candidate, name)
        if (was is None) != (now is None):
            return f"{name} became {'known' if was is None else 'unknown'}"
        if was is not None and now is not None and abs(now - was) > tolerance.relative_sd * was:
            return f"{name} moved from {was:.3f} to {now:.3f}"
    if current.gap_mean is not None and candidate.gap_mean is not None and current.gap_sd:
        shift = abs(candidate.gap_mean - current.gap_mean)
        if shift > tolerance.gap_mean_of_sd * current.gap_sd:
            return f"gap_mean moved from {current.gap_mean:.3f} to {candidate.gap_mean:.3f}"
    z = NormalDist().inv_cdf(settings.not_on_track_level)
    for measure in MEASURES:
        was_curve, now_curve = current.curves[measure], candidate.curves[measure]
        if was_curve.kind != now_curve.kind:
            return f"the {measure} curve became the {now_curve.kind} one"
        if _bound_moved(was_curve, now_curve, z, tolerance):
            return f"the {measure} bound moved by more than {tolerance.bound_points} points"
    return None


def _bound_moved(
    current: ExpectedCurve, candidate: ExpectedCurve, z: float, tolerance: RefitTolerance
) -> bool:
    sessions = range(tolerance.first_session, tolerance.last_session + 1)
    for intake in range(tolerance.lowest_intake, SCALE_MAXIMUM[current.measure] + 1):
        was, now = current.bounds(intake, z), candidate.bounds(intake, z)
        if any(abs(now[t] - was[t]) > tolerance.bound_points for t in sessions):
            return True
    return False


def refit_due(fitted_at: datetime | None, *, now: datetime, period: timedelta) -> str | None:
    """Why the norms are due for a refit whatever the candidate (None: only if it moved).
    ``fitted_at`` is None when the practice has never had norms fitted."""
    if fitted_at is None:
        return "the first fit"
    if now - fitted_at >= period:
        return f"the current norms are {period.days} days old or more"
    return None
