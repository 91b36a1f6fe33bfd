"""Expected treatment response: the course a client's PHQ-9 or GAD-7 is expected to take.

Finch, Lambert & Schaalje 2001 fitted scores against log(session number) with a random effect
per client and set tolerance bounds around the expected curve; a score beyond the bound means
the client is not on track. We fit, for each measure,

    score_t = b0 + b1·L + b2·intake + b3·intake·L + u_client + e_t,   L = ln(t)

where t is the session's place in the course counted from the intake score (the intake is t = 1,
so L = 0 there and the curve starts from b0 + b2·intake), and intake severity enters as a
covariate with its own slope, so that severe clients are expected to fall further, as they do.
Only the scores after the intake are modelled: the intake is the covariate, not an outcome.

The fixed part is ordinary least squares; the two variance components (between clients, u, and
within a client, e) are method-of-moments (ANOVA-type) estimates from the OLS residuals. The
fit needs only seven running sums per episode, so the whole practice is one pass.

The bound for a new score is expected + z·sqrt(var_u + var_e): the spread of a client's score
around the curve when nothing else is known about that client, as Finch et al. used it. We leave
out the uncertainty of the fitted coefficients: with the 50 episodes or more the fit requires it
is small next to the two variance components.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from alliance.clinical.signals.model import Measure

CurveKind = Literal["practice", "default"]

SCALE_MAXIMUM: dict[Measure, int] = {"phq9": 27, "gad7": 21}

# The default curve (a project default, not a published norm; docs/signals.md says so). The
# expected score falls in proportion to the intake score and to ln(session): by 40% of the intake
# by session 10, so by 24% at session 4 and 52% at session 20. We chose the 40% as a round,
# deliberately modest figure for a course of talking therapy, so that the default flags only a
# clear lack of progress; it was not fitted to any data set.
DEFAULT_FALL_BY_SESSION_10 = 0.40
# The spread of scores around the default curve: round figures of the order of the spread of
# these measures in treatment-seeking samples, wider for PHQ-9 (0-27) than for GAD-7 (0-21) in
# proportion to the scales. Also project defaults, not published norms.
DEFAULT_PREDICTIVE_SD: dict[Measure, float] = {"phq9": 5.0, "gad7": 4.0}

# ln(t) for every course length a real episode reaches; the hot loops look it up rather than
# call math.log for each of the millions of scores in a full recompute.
LOG_TABLE_SIZE = 256
LOG_TABLE: tuple[float, ...] = (0.0, *(math.log(t) for t in range(1, LOG_TABLE_SIZE)))


def log_session(course_session: int) -> float:
    if course_session < LOG_TABLE_SIZE:
        return LOG_TABLE[course_session]
    return math.log(course_session)


# Episode statistics: (follow-up scores n, sum L, sum L², sum y, sum L·y, sum y², intake).
EpisodeSums = tuple[int, float, float, float, float, float, float]


@dataclass(frozen=True, slots=True)
class ExpectedCurve:
    """The expected course of one measure, from the practice's data or the default."""

    measure: Measure
    kind: CurveKind
    intercept: float  # b0
    log_slope: float  # b1, per unit of ln(session)
    intake_weight: float  # b2, per point of intake score
    intake_log_slope: float  # b3, per intake point per unit of ln(session)
    predictive_sd: float  # sqrt(var_u + var_e): the spread of a new score around the curve
    sd_between: float | None = None  # the fit's SD of client intercepts (None for the default)
    sd_within: float | None = None  # the fit's residual SD within a client
    episodes: int = 0  # episodes the fit used (0 for the default)
    # Bounds already computed, by (intake, z): see ``bounds``.
    _bounds: dict[tuple[int, float], tuple[float, ...]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def bounds(self, intake: int, z: float) -> tuple[float, ...]:
        """The one-sided bound, expected + z·predictive SD, for every course session below
        LOG_TABLE_SIZE (index = course session; index 0 is unused). Scores are whole numbers on
        short scales, so a practice has a few dozen intakes: each table is computed once and
        then looked up for every score of every episode with that intake."""
        key = (intake, z)
        table = self._bounds.get(key)
        if table is None:
            margin = z * self.predictive_sd
            table = (
                math.inf,
                *(self.expected(intake, t) + margin for t in range(1, LOG_TABLE_SIZE)),
            )
            self._bounds[key] = table
        return table

    def expected(self, intake: float, course_session: int) -> float:
        """The expected score at the ``course_session``-th session counted from the intake
        (the intake itself is 1), kept within the scale."""
        log_t = log_session(course_session)
        value = (
            self.intercept
            + self.log_slope * log_t
            + (self.intake_weight + self.intake_log_slope * log_t) * intake
        )
        return min(max(value, 0.0), float(SCALE_MAXIMUM[self.measure]))

    def as_dict(self) -> dict[str, float | int | str | None]:
        return {
            "measure": self.measure,
            "kind": self.kind,
            "intercept": self.intercept,
            "log_slope": self.log_slope,
            "intake_weight": self.intake_weight,
            "intake_log_slope": self.intake_log_slope,
            "predictive_sd": self.predictive_sd,
            "sd_between": self.sd_between,
            "sd_within": self.sd_within,
            "episodes": self.episodes,
        }


def default_curve(measure: Measure) -> ExpectedCurve:
    """expected = intake·(1 - f·ln(t)/ln(10)), f = DEFAULT_FALL_BY_SESSION_10."""
    return ExpectedCurve(
        measure=measure,
        kind="default",
        intercept=0.0,
        log_slope=0.0,
        intake_weight=1.0,
        intake_log_slope=-DEFAULT_FALL_BY_SESSION_10 / math.log(10),
        predictive_sd=DEFAULT_PREDICTIVE_SD[measure],
    )


def episode_sums(scores: Iterable[tuple[int, int]]) -> EpisodeSums | None:
    """The statistics one episode contributes, from its (session number, score) pairs in
    session order; None when it has no score at all. The first score is the intake."""
    iterator = iter(scores)
    first = next(iterator, None)
    if first is None:
        return None
    intake_number, intake = first
    n, sum_l, sum_ll, sum_y, sum_ly, sum_yy = 0, 0.0, 0.0, 0.0, 0.0, 0.0
    for number, value in iterator:
        log_t = log_session(number - intake_number + 1)
        n += 1
        sum_l += log_t
        sum_ll += log_t * log_t
        sum_y += value
        sum_ly += log_t * value
        sum_yy += value * value
    return (n, sum_l, sum_ll, sum_y, sum_ly, sum_yy, float(intake))


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None when the system is (near) singular, for
    example when every episode has the same intake score and intake cannot be told apart from
    the intercept."""
    size = len(vector)
    rows = [[*matrix[i], vector[i]] for i in range(size)]
    scale = max(abs(value) for row in matrix for value in row) or 1.0
    for column in range(size):
        pivot = max(range(column, size), key=lambda row: abs(rows[row][column]))
        if abs(rows[pivot][column]) <= 1e-10 * scale:
            return None
        rows[column], rows[pivot] = rows[pivot], rows[column]
        for row in range(column + 1, size):
            factor = rows[row][column] / rows[column][column]
            for k in range(column, size + 1):
                rows[row][k] -= factor * rows[column][k]
    solution = [0.0] * size
    for row in range(size - 1, -1, -1):
        tail = sum(rows[row][k] * solution[k] for k in range(row + 1, size))
        solution[row] = (rows[row][size] - tail) / rows[row][row]
    return solution


def fit_curve(
    measure: Measure, episodes: Iterable[EpisodeSums], *, min_episodes: int, min_scores: int
) -> ExpectedCurve:
    """The practice's curve for ``measure`` from each episode's ``episode_sums``, or the default
    curve when fewer than ``min_episodes`` episodes have ``min_scores`` scores or more (intake
    included), or when the data cannot identify the model."""
    used = [sums for sums in episodes if sums[0] + 1 >= min_scores]
    if len(used) < min_episodes:
        return default_curve(measure)

    # X'X and X'y for the columns (1, L, intake, intake·L), built from per-episode sums: within an
    # episode the intake is constant, so every cross-product factors out of the sums of L.
    a = b = c = d = e = f = g = h = i = 0.0
    y0 = y1 = y2 = y3 = yy = 0.0
    for n, sum_l, sum_ll, sum_y, sum_ly, sum_yy, intake in used:
        a += n
        b += sum_l
        c += sum_ll
        d += n * intake
        e += intake * sum_l
        f += intake * sum_ll
        g += n * intake * intake
        h += intake * intake * sum_l
        i += intake * intake * sum_ll
        y0 += sum_y
        y1 += sum_ly
        y2 += intake * sum_y
        y3 += intake * sum_ly
        yy += sum_yy
    xtx = [[a, b, d, e], [b, c, e, f], [d, e, g, h], [e, f, h, i]]
    xty = [y0, y1, y2, y3]
    beta = _solve(xtx, xty)
    if beta is None:
        return default_curve(measure)
    b0, b1, b2, b3 = beta

    # Residual sum of squares from the sums: y'y - 2b'X'y + b'X'Xb.
    fitted_square = sum(beta[r] * xtx[r][s] * beta[s] for r in range(4) for s in range(4))
    sse = yy - 2 * sum(beta[r] * xty[r] for r in range(4)) + fitted_square
    # Method of moments: the within-client variance from deviations around each client's mean
    # residual; the between-client variance from the spread of those means, less the part the
    # within-client noise explains (var(mean residual) = var_u + var_e/n).
    between_ss = 0.0
    mean_squares = 0.0
    inverse_n = 0.0
    for n, sum_l, _, sum_y, _, _, intake in used:
        residual_sum = sum_y - (b0 * n + b1 * sum_l + b2 * n * intake + b3 * intake * sum_l)
        between_ss += residual_sum * residual_sum / n
        mean_squares += (residual_sum / n) ** 2
        inverse_n += 1 / n
    within_df = a - len(used)
    var_e = max(sse - between_ss, 0.0) / within_df if within_df > 0 else 0.0
    clients = len(used)
    var_u = max(mean_squares / max(clients - 4, 1) - var_e * inverse_n / clients, 0.0)
    predictive_sd = math.sqrt(var_u + var_e)
    if not predictive_sd > 0 or not all(math.isfinite(value) for value in beta):
        return default_curve(measure)
    return ExpectedCurve(
        measure=measure,
        kind="practice",
        intercept=b0,
        log_slope=b1,
        intake_weight=b2,
        intake_log_slope=b3,
        predictive_sd=predictive_sd,
        sd_between=math.sqrt(var_u),
        sd_within=math.sqrt(var_e),
        episodes=clients,
    )
