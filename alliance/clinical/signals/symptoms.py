"""Signals from the symptom measures: risk, not on track, no improvement, reliable deterioration.

These run over every score of every episode in a full recompute: plain loops over columns read
with comprehensions, which CPython 3.12 runs faster than the C-level alternatives (``map`` with
``attrgetter``, ``operator.gt``) for series of a few dozen sessions (bench/bench_signals.py).
"""

from collections.abc import Iterator, Sequence
from functools import lru_cache
from statistics import NormalDist

from alliance.clinical.change import reliable_change_direction
from alliance.clinical.nhs import GAD7_CASENESS, PHQ9_CASENESS
from alliance.clinical.signals.context import Context
from alliance.clinical.signals.expected import LOG_TABLE_SIZE, ExpectedCurve
from alliance.clinical.signals.model import (
    MEASURES,
    Measure,
    Scalar,
    SessionPoint,
    Signal,
    by_session,
    scores_of,
)
from alliance.clinical.signals.references import (
    EXPECTED_RESPONSE,
    ITEM9_AT_LEAST,
    NO_RELIABLE_IMPROVEMENT,
    PHQ9_ITEM9,
    RELIABLE_CHANGE,
    SOURCES,
    rule_parameters,
)

# Caseness at intake, NHS Talking Therapies Manual (alliance.clinical.nhs).
CASENESS: dict[Measure, int] = {"phq9": PHQ9_CASENESS, "gad7": GAD7_CASENESS}


def detect_risk(series: Sequence[SessionPoint], context: Context) -> list[Signal]:
    """Kind ``risk``, rule ``phq9_item9``: every session where item 9 was answered 1 or more."""
    parameters = rule_parameters(context.settings)[PHQ9_ITEM9]
    return [
        Signal(
            "risk",
            point.number,
            PHQ9_ITEM9,
            parameters,
            {"phq9_item9": point.phq9_item9, "phq9": point.phq9},
            SOURCES[PHQ9_ITEM9],
        )
        for point in series
        if point.phq9_item9 is not None and point.phq9_item9 >= ITEM9_AT_LEAST
    ]


@lru_cache(maxsize=8)
def one_sided_z(level: float) -> float:
    """z of a one-sided tolerance bound at this level (0.90 → 1.2816)."""
    return NormalDist().inv_cdf(level)


def detect_not_on_track(series: Sequence[SessionPoint], context: Context) -> list[Signal]:
    """Kind ``not_on_track``, rule ``expected_response`` (Finch, Lambert & Schaalje 2001).

    For PHQ-9 and GAD-7 separately: the intake is the first score of the episode; every later
    score above the one-sided tolerance bound of the expected curve (expected + z·predictive SD)
    gives a signal at its session. The curve is the practice's own or the default; the evidence
    says which, and the UI shows it.
    """
    settings = context.settings
    z = one_sided_z(settings.not_on_track_level)
    parameters = rule_parameters(settings)[EXPECTED_RESPONSE]
    signals: list[Signal] = []
    for measure in MEASURES:
        curve = context.norms.curves[measure]
        margin = z * curve.predictive_sd
        values = scores_of(series, measure)
        for index, intake_index, course_session, bound in above_bound(series, values, curve, z):
            intake = values[intake_index]
            assert intake is not None
            signals.append(
                Signal(
                    "not_on_track",
                    series[index].number,
                    EXPECTED_RESPONSE,
                    parameters,
                    {
                        "measure": measure,
                        "observed": values[index],
                        "expected": bound - margin,
                        "bound": bound,
                        "intake": intake,
                        "intake_session": series[intake_index].number,
                        "course_session": course_session,
                        "predictive_sd": curve.predictive_sd,
                        "curve": curve.kind,
                        "norms_version": context.norms.version,
                    },
                    SOURCES[EXPECTED_RESPONSE],
                )
            )
    if len(signals) > 1:
        signals.sort(key=by_session)
    return signals


def above_bound(
    series: Sequence[SessionPoint], values: list[int | None], curve: ExpectedCurve, z: float
) -> Iterator[tuple[int, int, int, float]]:
    """(index, intake index, course session, bound) of each score above its bound.

    A plain loop: on CPython 3.12 it beats the C-level alternatives (map with operator.gt over
    a slice of the bounds) for series of a few dozen scores, which is all a series is."""
    intake: int | None = None
    intake_index = 0
    before_course = 0  # the intake's session number - 1: course session = number - this
    bounds: tuple[float, ...] = ()
    for index, observed in enumerate(values):
        if observed is None:
            continue
        if intake is None:
            intake, intake_index = observed, index
            before_course = series[index].number - 1
            bounds = curve.bounds(intake, z)
            continue
        course_session = series[index].number - before_course
        bound = (
            bounds[course_session]
            if course_session < LOG_TABLE_SIZE
            else curve.expected(intake, course_session) + z * curve.predictive_sd
        )
        if observed > bound:
            yield index, intake_index, course_session, bound


def detect_reliable_deterioration(series: Sequence[SessionPoint], context: Context) -> list[Signal]:
    """Kind ``reliable_deterioration``, rule ``reliable_change``: for PHQ-9 and GAD-7 separately,
    the first session whose score is a reliable rise on the episode's first score (NHS Talking
    Therapies thresholds). This is the per-measure rise the check needs session by session, not
    the Manual's paired end-of-treatment outcome, which also looks at the other measure
    (alliance.clinical.nhs)."""
    settings = context.settings
    signals: list[Signal] = []
    for measure in MEASURES:
        threshold = (
            settings.phq9_reliable_change if measure == "phq9" else settings.gad7_reliable_change
        )
        values = scores_of(series, measure)
        scored = [value for value in values if value is not None]
        # Only a rise of the threshold or more on the intake can be a reliable deterioration;
        # most series have none, which max() tells without a Python loop.
        if len(scored) < 2 or max(scored) < scored[0] + threshold:
            continue
        intake = scored[0]
        intake_index = next(index for index, value in enumerate(values) if value is not None)
        for index in range(intake_index + 1, len(values)):
            observed = values[index]
            if observed is None:
                continue
            direction = reliable_change_direction(
                intake, observed, reliable_change=threshold, higher_is="worse"
            )
            if direction == "deteriorated":
                back = _back_below(values, index, intake + threshold)
                signals.append(
                    Signal(
                        "reliable_deterioration",
                        series[index].number,
                        RELIABLE_CHANGE,
                        rule_parameters(settings)[RELIABLE_CHANGE],
                        {
                            "measure": measure,
                            "intake": intake,
                            "intake_session": series[intake_index].number,
                            "observed": observed,
                            "observed_session": series[index].number,
                            "change": observed - intake,
                            # Whether the latest score is still a reliable rise, so that the
                            # therapist is told when it has come back down.
                            "back_at_session": series[back[0]].number if back else None,
                            "back_to": back[1] if back else None,
                        },
                        SOURCES[RELIABLE_CHANGE],
                    )
                )
                break
    if len(signals) > 1:
        signals.sort(key=by_session)
    return signals


def _back_below(values: list[int | None], index: int, limit: int) -> tuple[int, int] | None:
    """Where the scores after ``index`` came back below ``limit`` and stayed there (the index
    of the first of the latest run below it, and the latest score), or None when the latest
    score is still at or above it."""
    later = [(i, value) for i in range(index + 1, len(values)) if (value := values[i]) is not None]
    if not later or later[-1][1] >= limit:
        return None
    first = len(later) - 1
    while first > 0 and later[first - 1][1] < limit:
        first -= 1
    return later[first][0], later[-1][1]


def detect_no_improvement(series: Sequence[SessionPoint], context: Context) -> list[Signal]:
    """Kind ``no_improvement``, rule ``no_reliable_improvement``: the client started in
    caseness on PHQ-9 or GAD-7 (NHS Talking Therapies: 10 and 8) and, at the first session
    numbered ``no_improvement_by_session`` or later with a score on such a measure, none of the
    measures they started in caseness on has improved reliably (the latest score on each, at or
    before that session, against its intake). Once per episode.

    Not on track compares with a bound that a client who starts just above caseness and does
    not move may take months to cross; this asks the plainer question whether they have got
    reliably better at all by about half a usual course (Haas et al. 2002; Lutz et al. 2014)."""
    settings = context.settings
    by = settings.no_improvement_by_session
    columns = {measure: scores_of(series, measure) for measure in MEASURES}
    intakes: dict[Measure, tuple[int, int]] = {}  # measure: (index, intake) in caseness
    for measure, values in columns.items():
        index = next((i for i, value in enumerate(values) if value is not None), None)
        if index is None or series[index].number >= by:
            continue
        intake = values[index]
        assert intake is not None
        if intake >= CASENESS[measure]:
            intakes[measure] = (index, intake)
    if not intakes:
        return []
    reliable = {"phq9": settings.phq9_reliable_change, "gad7": settings.gad7_reliable_change}
    for position, point in enumerate(series):
        if point.number < by or all(columns[m][position] is None for m in intakes):
            continue
        evidence: dict[str, Scalar] = {"by_session": by, "measures": ", ".join(intakes)}
        for measure, (index, intake) in intakes.items():
            latest_index = max(
                i for i in range(index, position + 1) if columns[measure][i] is not None
            )
            latest = columns[measure][latest_index]
            assert latest is not None
            if intake - latest >= reliable[measure]:
                return []  # reliably improved on this measure: not stuck
            evidence[f"{measure}_intake"] = intake
            evidence[f"{measure}_latest"] = latest
            evidence[f"{measure}_latest_session"] = series[latest_index].number
        return [
            Signal(
                "no_improvement",
                point.number,
                NO_RELIABLE_IMPROVEMENT,
                rule_parameters(settings)[NO_RELIABLE_IMPROVEMENT],
                evidence,
                SOURCES[NO_RELIABLE_IMPROVEMENT],
            )
        ]
    return []
