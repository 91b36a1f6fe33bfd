"""A deterministic, documented model of a practice's session history, for the demo and validation.

``practice_history`` draws, from one seed, every therapist's caseload over the last 12 months:
per session the item-level answers to the client and therapist check-ins, PHQ-9 and GAD-7, and
the Rosenberg scale about monthly, plus the latent values they came from (``EpisodeTruth``) so that
the relationship engine can be validated against known ruptures and known outcomes.

The statistical model, each target and its source are written down in docs/demo-model.md, with
the same names as the constants below. The targets are published effect sizes (Horvath et al.
2011, Tryon et al. 2007, Eubanks, Muran & Safran 2018 and others named there); the constants that
reach them through rounding, the check-in's ceiling and the noise of the symptom measures were
calibrated by simulation, and tests/demo/test_synthetic.py checks that a large practice recovers
them within sampling error.

Pure Python and ``random.Random`` only: the same seed gives the same history on every machine.
``patterns`` builds the demo therapist's guaranteed cases on top of this module.
"""

import calendar
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from alliance.demo.synthetic.answers import (
    Series,
    SyntheticSession,
    render,
    rses_due,
    spread_totals,
)

__all__ = [
    "EpisodeTruth",
    "RuptureTruth",
    "Status",
    "SyntheticEpisode",
    "SyntheticSession",
    "client_key",
    "course_fraction",
    "improvement_share",
    "months_before",
    "practice_history",
    "response_for",
]

Status = Literal["ongoing", "ended", "dropped_out"]

# The totals each measure can take, from the instrument definitions; PHQ-9's without item 9.
CLIENT_TOTALS = spread_totals("alliance_client")
THERAPIST_TOTALS = spread_totals("alliance_therapist")
PHQ9_TOTALS = spread_totals("phq9")
GAD7_TOTALS = spread_totals("gad7")
RSES_TOTALS = spread_totals("rses")

# --- The alliance (check-in totals 7-35) --------------------------------------------------------
# Clients rate high, near the ceiling, as they do on alliance measures generally.
CLIENT_MEAN = 28.6
CLIENT_SD_BETWEEN = 3.2  # spread of clients' own levels
CLIENT_SD_SESSION = 1.7  # session-to-session wobble around a client's level
# Tryon et al. 2007: clients rate higher than therapists, d = .63; the mean is set so that the
# observed d, after rounding and the ceiling, comes out at about .6.
THERAPIST_MEAN = 25.7
THERAPIST_SD_BETWEEN = 2.9
THERAPIST_SD_SESSION = 1.7
THERAPIST_LENIENCY_SD = 0.8  # therapists differ in how generously they rate, whoever the client
# Tryon et al. 2007: client and therapist ratings correlate only r = .36. The therapist's sense of
# a client's level follows the client's own at RHO_LEVEL, and a session's ups and downs are shared
# at RHO_SESSION; together they give r of about .36 on the observed session totals.
RHO_LEVEL = 0.44
RHO_SESSION = 0.25

# --- Outcome ----------------------------------------------------------------------------------
# A client's response to treatment, in SD units: the alliance, the therapist, ruptures and chance.
# Horvath et al. 2011 / Flückiger et al. 2018: alliance and outcome correlate r = .28; the weight is
# set so that per-client mean alliance vs. PHQ-9 pre-post improvement recovers r of about .28.
ALLIANCE_TO_OUTCOME = 0.36
# Wampold & Brown 2005: about 5% of outcome variance lies between therapists.
THERAPIST_EFFECT_SD = 0.30
# Eubanks, Muran & Safran 2018: repaired vs unrepaired ruptures, d = .62 on outcome; McLaughlin
# et al. 2014: unrepaired ruptures predict worse outcome.
REPAIRED_EFFECT = 0.25
UNREPAIRED_EFFECT = -0.37
# Response to "share of intake severity gone by REFERENCE_SESSION": most improve, some do not, and
# below DETERIORATION_Z a client gets worse (the steeper slope gives a tail of deteriorators).
IMPROVEMENT_MEAN = 0.42
IMPROVEMENT_SLOPE = 0.28
DETERIORATION_Z = -1.4
DETERIORATION_SLOPE = 0.55
REFERENCE_SESSION = 12  # Finch, Lambert & Schaalje 2001: expected course ~ log(session)

# --- Symptoms and self-esteem at intake, and their session noise (assumed; no published figure) -
PHQ9_INTAKE_MEAN = 14.5  # spreads intake across all five bands, most moderate or worse
PHQ9_INTAKE_SD = 5.0
GAD7_INTAKE_MEAN = 11.0
GAD7_INTAKE_SD = 4.2
GAD7_WITH_PHQ9 = 0.65  # depression and anxiety come together
RSES_INTAKE_MEAN = 14.0
RSES_INTAKE_SD = 4.5
RSES_WITH_PHQ9 = -0.5
RSES_GAIN = 8.0  # points of self-esteem gained by a full responder by the reference session
PHQ9_NOISE_SD = 2.0
GAD7_NOISE_SD = 1.7
RSES_NOISE_SD = 1.5
NOISE_CARRYOVER = 0.4  # a bad fortnight lingers: session noise is AR(1)
GAD7_RESPONSE_SD = 0.12  # anxiety responds like depression, not identically

# --- Ruptures (Safran & Muran 2000) ----------------------------------------------------------
RUPTURE_RATE = 1 / 3  # episodes with at least one rupture (our choice; McLaughlin et al. 2014: 46%)
SECOND_RUPTURE_RATE = 0.2
REPAIR_RATE = 0.5
RUPTURE_DROP = (0.12, 0.38)  # the fall as a share of the client's level; some are below 15%
TENSION_REPORTED = 0.7  # "often with a tension report"; the rest are quiet withdrawals
NOTICED_IF_REPAIRED = 0.6  # a rupture the therapist sees is likelier to be repaired
NOTICED_IF_UNREPAIRED = 0.25
REPAIR_BUMP = 1.0  # Stiles et al. 2004: repaired ruptures can leave the alliance above where it was
BACKGROUND_TENSION = 0.01  # a passing tension, talked through in the session
THERAPIST_BACKGROUND_TENSION = 0.02

# --- Course of care ---------------------------------------------------------------------------
MIN_SESSIONS = 6
MAX_SESSIONS = 30
MIN_MONTHS = 6
FORTNIGHTLY = 0.25
MISSED_WEEK = 0.1
ONGOING = 0.45
DROPOUT = 0.12
DROPOUT_IF_UNREPAIRED = 0.3
RISK_CLIENTS = 0.03  # "a few risk answers in a few clients"; likelier when severe at intake
RISK_CLIENTS_IF_SEVERE = 0.08


@dataclass(frozen=True, slots=True)
class RuptureTruth:
    session: int  # the session number where the client's alliance falls
    drop: float  # the intended fall, as a share of the client's level
    tension: int  # the client's answer to ac_tension that session (0 = a quiet withdrawal)
    therapist_noticed: bool
    repaired: bool
    recovered_at: int | None  # the session by which the score is back, when repaired
    talked_through: bool  # the client answered ac_repair "Well" or "Very well"


@dataclass(frozen=True, slots=True)
class EpisodeTruth:
    alliance_level: float  # the client's latent alliance, SD units
    therapist_view: float  # the therapist's latent view of it, SD units
    therapist_leniency: float  # the therapist's rating offset, check-in points
    therapist_effect: float  # the therapist's contribution to response, SD units
    response: float  # the client's latent response to treatment, SD units
    improvement: float  # share of intake PHQ-9 gone by REFERENCE_SESSION (negative: worse)
    intake_phq9: int
    intake_gad7: int
    intake_rses: int
    status: Status
    cadence_days: int  # 7 weekly, 14 fortnightly
    ruptures: tuple[RuptureTruth, ...]
    risk_sessions: tuple[int, ...]  # sessions with PHQ-9 item 9 >= 1
    # Sessions where the client reported tension outside an injected rupture: a passing one,
    # talked through at once, or one lingering after an unrepaired rupture.
    passing_tensions: tuple[int, ...] = ()
    pattern: str | None = None  # the demo pattern it was built to show (patterns)


@dataclass(frozen=True, slots=True)
class SyntheticEpisode:
    client_key: str  # stable, e.g. "t2-c07"
    therapist_index: int
    sessions: tuple[SyntheticSession, ...]
    truth: EpisodeTruth


@dataclass(frozen=True, slots=True)
class _Therapist:
    leniency: float
    effect: float


def practice_history(
    *, seed: int, therapists: int, clients_per_therapist: int, end: date, months: int = 12
) -> list[SyntheticEpisode]:
    """Every therapist's caseload over the ``months`` up to ``end``, one episode per client.

    Each episode draws from its own ``random.Random`` seeded from the practice's, so one client's
    history does not change when another's code changes how many numbers it draws."""
    if therapists < 1 or clients_per_therapist < 1:
        raise ValueError("a practice needs at least one therapist and one client")
    # Six fortnightly sessions with missed weeks take up to 15 weeks, and every episode has six.
    if months < MIN_MONTHS:
        raise ValueError(f"a history needs at least {MIN_MONTHS} months, got {months}")
    rng = random.Random(seed)  # noqa: S311 -- demo data, not secrets
    start = months_before(end, months)
    staff = [
        _Therapist(
            leniency=rng.gauss(0, THERAPIST_LENIENCY_SD), effect=rng.gauss(0, THERAPIST_EFFECT_SD)
        )
        for _ in range(therapists)
    ]
    episodes = []
    for index, therapist in enumerate(staff):
        for number in range(1, clients_per_therapist + 1):
            episode_rng = random.Random(rng.getrandbits(64))  # noqa: S311
            episodes.append(
                _episode(
                    episode_rng,
                    key=client_key(index, number),
                    therapist_index=index,
                    therapist=therapist,
                    start=start,
                    end=end,
                )
            )
    return episodes


def client_key(therapist_index: int, number: int) -> str:
    return f"t{therapist_index}-c{number:02d}"


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (that month's last day if it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def improvement_share(response: float) -> float:
    """Share of intake severity gone by REFERENCE_SESSION, from the latent response."""
    if response >= DETERIORATION_Z:
        return IMPROVEMENT_MEAN + IMPROVEMENT_SLOPE * response
    floor = IMPROVEMENT_MEAN + IMPROVEMENT_SLOPE * DETERIORATION_Z
    return floor + DETERIORATION_SLOPE * (response - DETERIORATION_Z)


def response_for(improvement: float) -> float:
    """The latent response that ``improvement_share`` turns into ``improvement`` (its inverse)."""
    floor = IMPROVEMENT_MEAN + IMPROVEMENT_SLOPE * DETERIORATION_Z
    if improvement >= floor:
        return (improvement - IMPROVEMENT_MEAN) / IMPROVEMENT_SLOPE
    return DETERIORATION_Z + (improvement - floor) / DETERIORATION_SLOPE


def course_fraction(session: int) -> float:
    """How far along the log-linear course a session is: 0 at intake, 1 at REFERENCE_SESSION."""
    return math.log(session) / math.log(REFERENCE_SESSION)


def _episode(
    rng: random.Random,
    *,
    key: str,
    therapist_index: int,
    therapist: _Therapist,
    start: date,
    end: date,
) -> SyntheticEpisode:
    level = rng.gauss(0, 1)
    view = RHO_LEVEL * level + math.sqrt(1 - RHO_LEVEL**2) * rng.gauss(0, 1)
    severity = rng.gauss(0, 1)
    cadence = 14 if rng.random() < FORTNIGHTLY else 7
    gaps = _gaps(rng, cadence, _session_count(rng), room=(end - start).days)
    n = len(gaps) + 1
    ruptures = _ruptures(rng, n)
    unrepaired = any(not rupture.repaired for rupture in ruptures)
    status: Status = "ongoing" if rng.random() < ONGOING else "ended"
    if status == "ended" and rng.random() < (DROPOUT_IF_UNREPAIRED if unrepaired else DROPOUT):
        status = "dropped_out"
    status, days = _days(rng, gaps, cadence, status=status, start=start, end=end)

    rupture_effect = sum(REPAIRED_EFFECT if r.repaired else UNREPAIRED_EFFECT for r in ruptures)
    chance_sd = math.sqrt(1 - ALLIANCE_TO_OUTCOME**2 - THERAPIST_EFFECT_SD**2)
    response = (
        ALLIANCE_TO_OUTCOME * level
        + therapist.effect
        + rupture_effect
        + chance_sd * rng.gauss(0, 1)
    )
    improvement = improvement_share(response)
    series = Series(days, [], [], [], [], [], [], [], [], [], [])
    _alliance_series(rng, series, level=level, view=view, therapist=therapist, ruptures=ruptures)
    risk_sessions = _symptom_series(rng, series, severity=severity, improvement=improvement)
    sessions = render(rng, series)
    return SyntheticEpisode(
        client_key=key,
        therapist_index=therapist_index,
        sessions=sessions,
        truth=EpisodeTruth(
            alliance_level=level,
            therapist_view=view,
            therapist_leniency=therapist.leniency,
            therapist_effect=therapist.effect,
            response=response,
            improvement=improvement,
            intake_phq9=series.phq9[0],
            intake_gad7=series.gad7[0],
            intake_rses=_first(series.rses),
            status=status,
            cadence_days=cadence,
            ruptures=tuple(_told(rupture, series) for rupture in ruptures),
            risk_sessions=risk_sessions,
            passing_tensions=tuple(
                number
                for number, tension in enumerate(series.client_tension, start=1)
                if tension and number not in {rupture.session for rupture in ruptures}
            ),
        ),
    )


def _session_count(rng: random.Random) -> int:
    # Skewed towards shorter courses, as in routine care: half of clients come for 9-21
    # sessions, a quarter for fewer, a few for 30.
    return MIN_SESSIONS + int((MAX_SESSIONS - MIN_SESSIONS + 1) * rng.random() ** 1.6)


def _gaps(rng: random.Random, cadence: int, sessions: int, *, room: int) -> list[int]:
    """Days between sessions: the cadence, now and then a missed week; the course is cut short
    (never below MIN_SESSIONS) when it would not fit the window."""
    gaps = [cadence + (7 if rng.random() < MISSED_WEEK else 0) for _ in range(sessions - 1)]
    while len(gaps) >= MIN_SESSIONS and sum(gaps) > room - 14:
        gaps.pop()
    return gaps


def _days(
    rng: random.Random, gaps: list[int], cadence: int, *, status: Status, start: date, end: date
) -> tuple[Status, list[date]]:
    span = sum(gaps)
    # Finished courses end at least three weeks before ``end``; one too long for that is ongoing.
    latest_start = (end - start).days - span - 21
    if status != "ongoing" and latest_start < 0:
        status = "ongoing"
    if status == "ongoing":
        # The last session falls within one cadence before ``end`` (weekdays only): the caseload
        # looks current.
        last = _weekday_on_or_before(end - timedelta(days=rng.randrange(cadence - 2)))
        first = last - timedelta(days=span)
    else:
        first = _weekday_on_or_before(start + timedelta(days=3 + rng.randrange(latest_start + 1)))
    days = [first]
    for gap in gaps:
        days.append(days[-1] + timedelta(days=gap))
    return status, days


def _weekday_on_or_before(day: date) -> date:
    return day - timedelta(days=max(day.weekday() - 4, 0))


@dataclass(frozen=True, slots=True)
class _Rupture:
    session: int
    fraction: float
    repaired: bool
    recovery: int  # sessions to get back, when repaired
    tension: int
    noticed: bool


def _ruptures(rng: random.Random, sessions: int) -> list[_Rupture]:
    """Ruptures fall between session 3 and three sessions before the last, so that whether they
    were repaired can be seen; a second one waits at least four sessions after the first."""
    if rng.random() >= RUPTURE_RATE:
        return []
    first = rng.randint(3, sessions - 3)
    at = [first]
    if rng.random() < SECOND_RUPTURE_RATE and first + 4 <= sessions - 3:
        at.append(rng.randint(first + 4, sessions - 3))
    ruptures = []
    for session in at:
        repaired = rng.random() < REPAIR_RATE
        reported = rng.random() < TENSION_REPORTED
        noticed = rng.random() < (NOTICED_IF_REPAIRED if repaired else NOTICED_IF_UNREPAIRED)
        ruptures.append(
            _Rupture(
                session=session,
                fraction=rng.uniform(*RUPTURE_DROP),
                repaired=repaired,
                recovery=rng.randint(1, 3),
                tension=rng.choice((1, 2)) if reported else 0,
                noticed=noticed,
            )
        )
    return ruptures


def _alliance_series(
    rng: random.Random,
    series: Series,
    *,
    level: float,
    view: float,
    therapist: _Therapist,
    ruptures: Sequence[_Rupture],
) -> None:
    n = len(series.days)
    client_level = CLIENT_MEAN + CLIENT_SD_BETWEEN * level
    therapist_level = THERAPIST_MEAN + therapist.leniency + THERAPIST_SD_BETWEEN * view
    deficit = [0.0] * (n + 1)  # by session number
    seen = [0.0] * (n + 1)  # the part of the deficit the therapist sees
    unresolved = [0.0] * (n + 1)  # the part left by unrepaired ruptures
    events: dict[int, _Rupture] = {rupture.session: rupture for rupture in ruptures}
    for rupture in ruptures:
        drop = rupture.fraction * client_level
        for number in range(rupture.session, n + 1):
            after = number - rupture.session
            if rupture.repaired:
                # Back to the old level within 1-3 sessions, then a little above it.
                share = max(1 - after / rupture.recovery, 0.0)
                change = drop * share - (REPAIR_BUMP if share == 0 else 0.0)
            else:
                # No recovery for three sessions, then a slow drift back.
                change = drop * 0.85 ** max(after - 3, 0)
            deficit[number] += change
            if not rupture.repaired:
                unresolved[number] += change
            if rupture.noticed:
                seen[number] += 0.5 * max(change, 0.0)
    shared_sd = math.sqrt(1 - RHO_SESSION**2)
    for number in range(1, n + 1):
        wobble = rng.gauss(0, 1)
        client = client_level + CLIENT_SD_SESSION * wobble - deficit[number]
        own = RHO_SESSION * wobble + shared_sd * rng.gauss(0, 1)
        rated = therapist_level + THERAPIST_SD_SESSION * own - seen[number]
        series.client.append(_clamp(round(client), *CLIENT_TOTALS))
        series.therapist.append(_clamp(round(rated), *THERAPIST_TOTALS))
        tension, repair, t_tension, t_repair = _tension(rng, events.get(number), unresolved[number])
        series.client_tension.append(tension)
        series.client_repair.append(repair)
        series.therapist_tension.append(t_tension)
        series.therapist_repair.append(t_repair)


def _tension(
    rng: random.Random, rupture: _Rupture | None, unresolved: float
) -> tuple[int, int | None, int, int | None]:
    """Both sides' tension and repair answers for one session."""
    if rupture is None:
        # A tension lingers after an unrepaired rupture; otherwise one now and then, talked through.
        lingering = unresolved > 2 and rng.random() < 0.25
        tension = 1 if lingering or rng.random() < BACKGROUND_TENSION else 0
        repair = (rng.choice((0, 1)) if lingering else rng.choice((3, 4))) if tension else None
        t_tension = 1 if rng.random() < THERAPIST_BACKGROUND_TENSION else 0
        return tension, repair, t_tension, rng.choice((3, 4)) if t_tension else None
    # A repaired rupture was mostly talked through well; some repairs show only in the scores.
    answers = (3, 4, 4, 2) if rupture.repaired else (0, 0, 1, 1)
    # ac_repair is optional: now and then a client leaves it blank.
    repair = rng.choice(answers) if rupture.tension and rng.random() < 0.9 else None
    t_tension = rng.choice((1, 2)) if rupture.noticed else 0
    t_repair = rng.choice(answers) if rupture.noticed else None
    return rupture.tension, repair, t_tension, t_repair


def _symptom_series(
    rng: random.Random, series: Series, *, severity: float, improvement: float
) -> tuple[int, ...]:
    """PHQ-9, GAD-7 and the Rosenberg totals per session; returns the risk sessions."""
    n = len(series.days)
    anxious = GAD7_WITH_PHQ9 * severity + math.sqrt(1 - GAD7_WITH_PHQ9**2) * rng.gauss(0, 1)
    esteem = RSES_WITH_PHQ9 * severity + math.sqrt(1 - RSES_WITH_PHQ9**2) * rng.gauss(0, 1)
    phq9_intake = PHQ9_INTAKE_MEAN + PHQ9_INTAKE_SD * severity
    gad7_intake = GAD7_INTAKE_MEAN + GAD7_INTAKE_SD * anxious
    rses_intake = RSES_INTAKE_MEAN + RSES_INTAKE_SD * esteem
    gad7_improvement = improvement + rng.gauss(0, GAD7_RESPONSE_SD)
    risky = rng.random() < (RISK_CLIENTS_IF_SEVERE if phq9_intake >= 20 else RISK_CLIENTS)
    # Risk answers come while the client is at their worst, in the first half of the course.
    risk_at: set[int] = set()
    if risky:
        risk_at.update(rng.sample(range(1, n // 2 + 1), k=rng.choice((1, 1, 2))))
    due = rses_due(series.days)
    noise = [0.0, 0.0, 0.0]
    for number in range(1, n + 1):
        noise = [NOISE_CARRYOVER * value + rng.gauss(0, 1) for value in noise]
        along = course_fraction(number)
        item9 = (2 if rng.random() < 0.2 else 1) if number in risk_at else 0
        phq9 = phq9_intake * (1 - improvement * along) + PHQ9_NOISE_SD * noise[0]
        gad7 = gad7_intake * (1 - gad7_improvement * along) + GAD7_NOISE_SD * noise[1]
        rses = rses_intake + RSES_GAIN * improvement * along + RSES_NOISE_SD * noise[2]
        # Without a risk answer the eight other items carry the total, so it stops at 24.
        lowest, highest = PHQ9_TOTALS
        series.phq9.append(_clamp(round(phq9), item9 + 1 if item9 else lowest, highest + item9))
        series.phq9_item9.append(item9)
        series.gad7.append(_clamp(round(gad7), *GAD7_TOTALS))
        series.rses.append(_clamp(round(rses), *RSES_TOTALS) if due[number - 1] else None)
    return tuple(sorted(risk_at))


def _told(rupture: _Rupture, series: Series) -> RuptureTruth:
    """What a rupture turned out to be, with the client's answers of that session."""
    index = rupture.session - 1
    repair = series.client_repair[index]
    return RuptureTruth(
        session=rupture.session,
        drop=rupture.fraction,
        tension=series.client_tension[index],
        therapist_noticed=rupture.noticed,
        repaired=rupture.repaired,
        recovered_at=rupture.session + rupture.recovery if rupture.repaired else None,
        talked_through=repair is not None and repair >= 3,
    )


def _first(values: Sequence[int | None]) -> int:
    for value in values:
        if value is not None:
            return value
    raise ValueError("the intake always asks the Rosenberg scale")


def _clamp(value: int, low: int, high: int) -> int:
    return low if value < low else high if value > high else value
