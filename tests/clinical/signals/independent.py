"""An independent practice with planted events, to measure the signal engine against.

Written without reading the engine's own validation set or the demo's generator, and not tuned
to the rules' thresholds: every figure below comes from what the research says series look like,
or is a stated choice. Standard library only, one seeded ``random.Random``, so the
same seed gives the same practice on any machine.

The practice: 30 therapists, 20 weekly sessions per episode, every check-in answered (except
where a group says otherwise). Relationship episodes carry alliance ratings only; symptom
episodes carry PHQ-9 and GAD-7 only, so the two parts cannot disturb each other's ground truth
(norms are still fitted on the whole practice, as a practice would).

Alliance ratings (the check-in totals, 7 items scored 1-5: 7..35)
- Client level: normal, mean 28.5, SD 2.5, redrawn outside 21..34, so about nine clients in ten
  sit at 24-33: alliance self-reports are high and bunched near the top of their scales.
- Session noise: white noise around the level, SD drawn per client from 0.8-2.0 in the event
  groups (1, 1.5 and 2 exactly in the stable groups); rounded and kept in 7..35. No trend: a
  level plus noise is the series every false-alarm figure assumes.
- Therapist ratings: clients rate higher than therapists, d = .63, and the two views correlate
  r = .36 (Tryon, Blackwell & Hammel 2007). With SD 2.5 on both sides, the therapist's level for
  a client is 26.9 + .36 x (client level - 28.5) + an independent part (a therapist's own bias,
  SD 1, and the dyad's, making SD 2.5 in all). The dyad's gap (client minus therapist) is then
  SD 2.83 between dyads; a dyad more than 2 of those SDs from the mean gap is redrawn, because a
  dyad that far apart *is* a persistent disagreement, and those are planted only on purpose.
  The redraw raises the realised correlation a little (about .4-.45 on the stable clients).
  Therapist session noise: SD 0.8-1.5, per therapist. Nobody reports tension unless planted.

Planted relationship events (the ground truth; ``Planted.kind`` is the signal kind expected)
- Ruptures, one per episode, at a session from 4 to 16. A *fall* lowers the client's true level
  by 5-10 points and by at least 3 x sqrt(2) x the client's noise SD (three SDs of the client's
  own session-to-session change), so that it is clinically clear and well past their noise;
  the client's level is redrawn until the fall leaves it at 18 or more (an item mean of about
  2.6, above "A little"), so that no rupture is also a persistently low alliance.
  Kinds of rupture: a silent fall (no tension reported, 35%), a reported fall (the client
  answers tension "A little" or "Yes", 40%) and a reported-only rupture (tension reported, the
  score 0-2 points down: a rupture by the client's own word, 25%).
- Repair: *by score*, the level climbs back in a straight line to the pre-rupture level 1-3
  sessions later (planted at that session: the true level is back, the observed score is that
  level plus noise); *talked through*, a reported rupture whose "how well did you talk it
  through" is 3 "Well" or 4 "Very well" at the rupture session (planted there; the score also
  climbs back over 1-3 sessions). A reported-only rupture not talked through is settled the
  next session: no tension, score at the usual level (planted repair there). Reported ruptures
  not talked through answer 0-2.
- Unrepaired: a fall that stays down to the end, planted as ``unrepaired_rupture`` at the
  rupture session + 3 (it stays down past the default repair window). Reported-only ruptures
  are never unrepaired: without a fall there is no "staying down" to plant.
- Therapist unseen (40% of falls): at the rupture session the therapist rates this client the
  same as last time or one point higher and reports no tension: a planted ``disagreement``.
  Seen (the other falls): the therapist's rating is 3-8 points below their previous one; half
  of them also report tension. After the rupture session the therapist's rating follows the
  client's course (3-8 points down, back as the client comes back) in both: an unseen rupture
  the therapist went on not seeing would also be a persistent gap, and how far the gap must be
  to count is the rule's question, not the generator's. Seen ruptures plant no disagreement.
  In reported-only ruptures the therapist reports tension too with an unchanged
  rating: whether tension only the client reports, with no fall on either side, is "unseen" is
  what the old and new rules disagree on, so that case is left out rather than decided here.
- Persistent disagreement: a client rating 18-24 whose therapist, for a run of 3-5 sessions
  (starting at 4-14), rates 9-13 points above the client's level (kept at 35 or below): a
  client-minus-therapist gap of about -11 against a practice mean near +1, some three SDs of
  the practice's session gaps (about 3.8) the wrong way. Planted as ``disagreement`` from
  the run's third session (when three in a row make it persistent) to its last.
- Persistently low alliance: every answered check-in 7-14 (level 8-12, noise SD 0.8-1.2, kept
  at 14 or below; a fifth of them the same score, 7-12, every session, some of those 7: "Not
  at all" throughout). Half
  answer from session 1, half from session 2-4 (no check-in before). The therapist sees it and
  rates with the usual gap. Planted as ``low_alliance`` from the first answered check-in to the
  end.
- Stable: noise SD exactly 1, 1.5 or 2 and nothing planted; flat: the same client score every
  session (21-35) and the same therapist score.
- So 14 or below ("A little" or less on average) is always a planted low alliance, and no
  true level outside that group is below 18; between the two is left to the rule to place.

Symptom episodes (PHQ-9 and GAD-7 every session, the session-by-session measurement of NHS
Talking Therapies)
- Measurement noise: PHQ-9 SD 2.2, GAD-7 SD 1.9, the standard error of measurement from
  clinical-sample SDs (about 5.5 and 4.5) and test-retest reliabilities (.84, Kroenke et al.
  2001; .83, Spitzer et al. 2006). Every score, the intake too, is the true level plus noise.
  This is more than the internal-consistency error the reliable-change amounts come from, so a
  client whose true level never moves crosses those amounts now and then, as real ones do.
- Stuck (30%): in caseness at intake (observed PHQ-9 10-20 and GAD-7 8-16), true level
  unchanged for 20 sessions.
- Steady improvers (60%): caseness intakes as above; the true level falls along ln(session)
  (the dose-effect shape: fast early) to half the intake at a session from 8 to 12, never below
  a fifth of it.
- Deteriorating (10%): on PHQ-9, GAD-7 or both (a third each), a rise in the true level of 7-10
  (PHQ-9) or 5-8 (GAD-7) points, more than the reliable-change amounts (6 and 4), reached at a
  session from 4 to 10 and held; intakes 5-17 / 4-13 so that it fits the scale; a measure that
  does not rise is stuck. Planted ``reliable_deterioration`` at the first session the true level
  is a reliable change above the true intake.
- The mix is near the usual shares in NHS Talking Therapies reports (about two in three reliably
  improve), with more deteriorating clients than the few percent seen there so that 100 of
  them test the "100% flagged" target. The practice's expected-response curve is fitted on
  this mix, so the stuck and improver figures depend on it.
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from alliance.clinical.signals import Episode, SessionPoint

SEED = 31_415_926
SESSIONS = 20
THERAPISTS = 30
FIRST_MONDAY = date(2025, 1, 6)

# Alliance: client levels, therapist levels (Tryon, Blackwell & Hammel 2007).
CLIENT_MEAN = 28.5
CLIENT_SD = 2.5
CLIENT_RANGE = (21.0, 34.0)
TRYON_D = 0.63
TRYON_R = 0.36
THERAPIST_MEAN = CLIENT_MEAN - TRYON_D * CLIENT_SD
THERAPIST_BIAS_SD = 1.0
DYAD_GAP_SD = CLIENT_SD * math.sqrt(2 - 2 * TRYON_R)
DYAD_GAP_LIMIT = 2.0  # dyad gaps beyond this many SDs are planted disagreements only
LOW = 14  # every item "A little" on average, or less: planted as a low alliance
NOT_LOW = 18  # no true level outside the low group goes below this

# Symptoms: standard error of measurement, SD x sqrt(1 - test-retest r).
PHQ9_NOISE = 2.2
GAD7_NOISE = 1.9
PHQ9_RELIABLE = 6
GAD7_RELIABLE = 4

# How many episodes of each group (relationship, then symptoms).
COUNTS = {
    "rupture": 720,
    "gap": 150,
    "low": 120,
    "stable 1": 150,
    "stable 1.5": 150,
    "stable 2": 150,
    "flat": 100,
    "stuck": 300,
    "improver": 600,
    "deteriorating": 100,
}
STABLE_SD = {"stable 1": 1.0, "stable 1.5": 1.5, "stable 2": 2.0}
RELATIONSHIP_GROUPS = ("rupture", "gap", "low", "stable 1", "stable 1.5", "stable 2", "flat")
SYMPTOM_GROUPS = ("stuck", "improver", "deteriorating")


@dataclass(frozen=True, slots=True)
class Planted:
    """An event the engine should report: ``kind`` at ``session``. A state (a low alliance, a
    persistent gap) lasts to ``until``; a point event has ``until == session``."""

    kind: str
    session: int
    until: int
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Generated:
    """One episode with its group and ground truth."""

    episode: Episode
    group: str
    planted: tuple[Planted, ...]
    detail: str = ""


@dataclass(frozen=True, slots=True)
class _Therapist:
    bias: float
    noise_sd: float


@dataclass(slots=True)
class _Columns:
    """One episode's answers, index 0 being session 1."""

    client: list[int | None] = field(default_factory=lambda: [None] * SESSIONS)
    therapist: list[int | None] = field(default_factory=lambda: [None] * SESSIONS)
    client_tension: list[int | None] = field(default_factory=lambda: [None] * SESSIONS)
    client_repair: list[int | None] = field(default_factory=lambda: [None] * SESSIONS)
    therapist_tension: list[int | None] = field(default_factory=lambda: [None] * SESSIONS)
    phq9: list[int | None] = field(default_factory=lambda: [None] * SESSIONS)
    gad7: list[int | None] = field(default_factory=lambda: [None] * SESSIONS)


def _clip(value: float, low: int, high: int) -> int:
    return min(high, max(low, round(value)))


def _alliance(value: float) -> int:
    return _clip(value, 7, 35)


def _client_level(rng: random.Random) -> float:
    while True:
        level = rng.gauss(CLIENT_MEAN, CLIENT_SD)
        if CLIENT_RANGE[0] <= level <= CLIENT_RANGE[1]:
            return level


def _therapist_level(rng: random.Random, client_level: float, therapist: _Therapist) -> float:
    own_sd = math.sqrt(CLIENT_SD**2 * (1 - TRYON_R**2) - THERAPIST_BIAS_SD**2)
    mean_gap = CLIENT_MEAN - THERAPIST_MEAN
    while True:
        level = (
            THERAPIST_MEAN
            + TRYON_R * (client_level - CLIENT_MEAN)
            + therapist.bias
            + rng.gauss(0, own_sd)
        )
        if abs(client_level - level - mean_gap) <= DYAD_GAP_LIMIT * DYAD_GAP_SD:
            return level


def _usual_gap_level(rng: random.Random, client_level: float, therapist: _Therapist) -> float:
    """A therapist level with the practice's usual gap to the client's, whatever its level."""
    gap = rng.gauss(CLIENT_MEAN - THERAPIST_MEAN, DYAD_GAP_SD)
    gap = max(-DYAD_GAP_LIMIT * DYAD_GAP_SD, min(DYAD_GAP_LIMIT * DYAD_GAP_SD, gap))
    return client_level - gap + therapist.bias


def _fill(
    rng: random.Random,
    columns: _Columns,
    client_levels: list[float],
    client_sd: float,
    therapist_levels: list[float],
    therapist_sd: float,
) -> None:
    for index in range(SESSIONS):
        columns.client[index] = _alliance(client_levels[index] + rng.gauss(0, client_sd))
        columns.therapist[index] = _alliance(therapist_levels[index] + rng.gauss(0, therapist_sd))
        columns.client_tension[index] = 0
        columns.therapist_tension[index] = 0


def _rupture(
    rng: random.Random, columns: _Columns, therapist: _Therapist
) -> tuple[tuple[Planted, ...], str]:
    client_sd = rng.uniform(0.8, 2.0)
    fall = rng.randint(max(5, math.ceil(3 * math.sqrt(2) * client_sd)), 10)
    client_level = _client_level(rng)
    while client_level - fall < NOT_LOW:
        client_level = _client_level(rng)
    therapist_level = _therapist_level(rng, client_level, therapist)
    session = rng.randint(4, 16)
    at = session - 1  # index of the rupture session
    form = rng.choices(("silent fall", "reported fall", "reported only"), (35, 40, 25))[0]
    outcomes = {
        "silent fall": ("score", "unrepaired"),
        "reported fall": ("score", "talked through", "unrepaired"),
        "reported only": ("talked through", "settled"),
    }[form]
    outcome = rng.choice(outcomes)
    view = "seen" if form == "reported only" else rng.choices(("unseen", "seen"), (40, 60))[0]

    offsets = [0.0] * SESSIONS
    therapist_offsets = [0.0] * SESSIONS
    therapist_fall = rng.randint(3, 8)
    planted = [Planted("rupture", session, session, f"{form}, {view}")]
    if form == "reported only":
        offsets[at] = -rng.randint(0, 2)
    else:
        back_after = SESSIONS if outcome == "unrepaired" else rng.randint(1, 3)
        for index in range(at, min(SESSIONS, at + back_after)):
            offsets[index] = -fall * (1 - (index - at) / back_after)
            if view == "seen" or index > at:
                therapist_offsets[index] = offsets[index] * therapist_fall / fall
        if outcome == "score":
            planted.append(
                Planted(
                    "repair",
                    session + back_after,
                    session + back_after,
                    f"score, after {back_after}",
                )
            )
    if outcome == "talked through":
        planted.append(Planted("repair", session, session, "talked through"))
    elif outcome == "settled":
        planted.append(Planted("repair", session + 1, session + 1, "settled"))
    elif outcome == "unrepaired":
        planted.append(Planted("unrepaired_rupture", session + 3, session + 3, form))
    if view == "unseen":
        planted.append(Planted("disagreement", session, session, "unseen"))

    _fill(
        rng,
        columns,
        [client_level + offset for offset in offsets],
        client_sd,
        [therapist_level + offset for offset in therapist_offsets],
        therapist.noise_sd,
    )
    previous = columns.therapist[at - 1]
    assert previous is not None
    if view == "unseen":
        columns.therapist[at] = min(35, previous + rng.choice((0, 0, 1)))
    elif form != "reported only":
        columns.therapist[at] = max(7, previous - therapist_fall)
    if form != "silent fall":
        columns.client_tension[at] = rng.choice((1, 2))
        columns.client_repair[at] = (
            rng.choice((3, 4)) if outcome == "talked through" else rng.choice((0, 1, 2))
        )
    if form == "reported only" or (view == "seen" and rng.random() < 0.5):
        columns.therapist_tension[at] = rng.choice((1, 2))
    return tuple(planted), f"{form}, {outcome}, {view}"


def _gap(
    rng: random.Random, columns: _Columns, therapist: _Therapist
) -> tuple[tuple[Planted, ...], str]:
    client_level = rng.uniform(18, 24)
    client_sd = rng.uniform(0.8, 2.0)
    therapist_level = _therapist_level(rng, client_level, therapist)
    _fill(
        rng,
        columns,
        [client_level] * SESSIONS,
        client_sd,
        [therapist_level] * SESSIONS,
        therapist.noise_sd,
    )
    start = rng.randint(4, 14)
    length = rng.randint(3, 5)
    for index in range(start - 1, start - 1 + length):
        above = rng.uniform(9, 13) + rng.gauss(0, therapist.noise_sd)
        columns.therapist[index] = _alliance(client_level + above)
    last = start + length - 1
    return (Planted("disagreement", start + 2, last, "persistent gap"),), f"run of {length}"


def _low(
    rng: random.Random, columns: _Columns, therapist: _Therapist
) -> tuple[tuple[Planted, ...], str]:
    flat = rng.random() < 0.2
    client_level = float(rng.randint(7, 12)) if flat else rng.uniform(8, 12)
    client_sd = 0.0 if flat else rng.uniform(0.8, 1.2)
    therapist_level = _usual_gap_level(rng, client_level, therapist)
    _fill(
        rng,
        columns,
        [client_level] * SESSIONS,
        client_sd,
        [therapist_level] * SESSIONS,
        therapist.noise_sd,
    )
    first = 1 if rng.random() < 0.5 else rng.randint(2, 4)
    for index in range(SESSIONS):
        value = columns.client[index]
        assert value is not None
        columns.client[index] = min(LOW, value) if index >= first - 1 else None
        if index < first - 1:
            columns.client_tension[index] = None
    shape = "flat" if flat else "noisy"
    start = "from session 1" if first == 1 else "from a later session"
    return (Planted("low_alliance", first, SESSIONS, f"{shape}, {start}"),), shape


def _stable(
    rng: random.Random, columns: _Columns, therapist: _Therapist, client_sd: float
) -> tuple[tuple[Planted, ...], str]:
    client_level = _client_level(rng)
    therapist_level = _therapist_level(rng, client_level, therapist)
    _fill(
        rng,
        columns,
        [client_level] * SESSIONS,
        client_sd,
        [therapist_level] * SESSIONS,
        therapist.noise_sd,
    )
    return (), f"SD {client_sd}"


def _flat(
    rng: random.Random, columns: _Columns, therapist: _Therapist
) -> tuple[tuple[Planted, ...], str]:
    client = rng.randint(21, 35)
    therapist_score = _alliance(_therapist_level(rng, client, therapist))
    _fill(rng, columns, [float(client)] * SESSIONS, 0.0, [float(therapist_score)] * SESSIONS, 0.0)
    return (), f"{client} / {therapist_score}"


# Symptoms. ``_course`` turns true levels into observed scores.
def _course(rng: random.Random, levels: list[float], noise: float, top: int) -> list[int | None]:
    return [_clip(level + rng.gauss(0, noise), 0, top) for level in levels]


def _caseness_intake(
    rng: random.Random, low: int, high: int, noise: float, top: int
) -> tuple[float, int]:
    """A true level and an observed intake score, the observed one in ``low..high``."""
    while True:
        level = rng.uniform(low, high)
        observed = _clip(level + rng.gauss(0, noise), 0, top)
        if low <= observed <= high:
            return level, observed


def _stuck_measure(
    rng: random.Random, low: int, high: int, noise: float, top: int
) -> list[int | None]:
    level, intake = _caseness_intake(rng, low, high, noise, top)
    return [intake, *_course(rng, [level] * (SESSIONS - 1), noise, top)]


def _improving_measure(
    rng: random.Random, low: int, high: int, noise: float, top: int
) -> list[int | None]:
    level, intake = _caseness_intake(rng, low, high, noise, top)
    half_at = rng.uniform(8, 12)
    levels = [
        level * max(0.2, 1 - 0.5 * math.log(session) / math.log(half_at))
        for session in range(2, SESSIONS + 1)
    ]
    return [intake, *_course(rng, levels, noise, top)]


def _rising_measure(
    rng: random.Random, intake_range: tuple[int, int], rise_range: tuple[float, float], rc: int
) -> tuple[list[int | None], int]:
    """Observed scores and the session the true rise first reaches ``rc``."""
    noise, top = (PHQ9_NOISE, 27) if rc == PHQ9_RELIABLE else (GAD7_NOISE, 21)
    level = rng.uniform(*intake_range)
    rise = rng.uniform(*rise_range)
    peak = rng.randint(4, 10)
    levels = [
        level + rise * min(1.0, (session - 1) / (peak - 1)) for session in range(1, SESSIONS + 1)
    ]
    reached = next(
        session for session in range(1, SESSIONS + 1) if levels[session - 1] - level >= rc
    )
    return _course(rng, levels, noise, top), reached


def _symptoms(rng: random.Random, columns: _Columns, group: str) -> tuple[tuple[Planted, ...], str]:
    if group == "stuck":
        columns.phq9 = _stuck_measure(rng, 10, 20, PHQ9_NOISE, 27)
        columns.gad7 = _stuck_measure(rng, 8, 16, GAD7_NOISE, 21)
        return (), ""
    if group == "improver":
        columns.phq9 = _improving_measure(rng, 10, 20, PHQ9_NOISE, 27)
        columns.gad7 = _improving_measure(rng, 8, 16, GAD7_NOISE, 21)
        return (), ""
    rising = rng.choice(("phq9", "gad7", "both"))
    planted: list[Planted] = []
    if rising in ("phq9", "both"):
        columns.phq9, reached = _rising_measure(rng, (5, 17), (7, 10), PHQ9_RELIABLE)
        planted.append(Planted("reliable_deterioration", reached, SESSIONS, "phq9"))
    else:
        columns.phq9 = _stuck_measure(rng, 10, 20, PHQ9_NOISE, 27)
    if rising in ("gad7", "both"):
        columns.gad7, reached = _rising_measure(rng, (4, 13), (5, 8), GAD7_RELIABLE)
        planted.append(Planted("reliable_deterioration", reached, SESSIONS, "gad7"))
    else:
        columns.gad7 = _stuck_measure(rng, 8, 16, GAD7_NOISE, 21)
    return tuple(planted), f"rising {rising}"


def _series(columns: _Columns, start: date) -> tuple[SessionPoint, ...]:
    return tuple(
        SessionPoint(
            number=index + 1,
            date=start + timedelta(days=7 * index),
            client_alliance=columns.client[index],
            therapist_alliance=columns.therapist[index],
            client_tension=columns.client_tension[index],
            client_repair=columns.client_repair[index],
            therapist_tension=columns.therapist_tension[index],
            phq9=columns.phq9[index],
            gad7=columns.gad7[index],
        )
        for index in range(SESSIONS)
    )


Maker = Callable[[random.Random, _Columns, _Therapist], tuple[tuple[Planted, ...], str]]


def _maker(group: str) -> Maker:
    if group in STABLE_SD:
        sd = STABLE_SD[group]
        return lambda rng, columns, therapist: _stable(rng, columns, therapist, sd)
    if group in SYMPTOM_GROUPS:
        return lambda rng, columns, _therapist: _symptoms(rng, columns, group)
    makers: dict[str, Maker] = {"rupture": _rupture, "gap": _gap, "low": _low, "flat": _flat}
    return makers[group]


def independent_practice(seed: int = SEED) -> list[Generated]:
    """Every episode of the practice, in a shuffled order, with its ground truth."""
    rng = random.Random(seed)
    therapists = [
        _Therapist(rng.gauss(0, THERAPIST_BIAS_SD), rng.uniform(0.8, 1.5))
        for _ in range(THERAPISTS)
    ]
    groups = [group for group, count in COUNTS.items() for _ in range(count)]
    rng.shuffle(groups)
    practice: list[Generated] = []
    for group in groups:
        therapist = rng.randrange(THERAPISTS)
        columns = _Columns()
        planted, detail = _maker(group)(rng, columns, therapists[therapist])
        start = FIRST_MONDAY + timedelta(days=7 * rng.randrange(52))
        episode = Episode(f"therapist-{therapist}", _series(columns, start))
        practice.append(Generated(episode, group, planted, detail))
    return practice
