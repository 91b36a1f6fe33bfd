"""From intended totals to item answers, for the synthetic practice history (``model``).

Each respondent spreads a total over an instrument's items in a stable way (some items always a
little higher than others) that varies between sessions only in which items round up; the answers
always score, with ``alliance.clinical.scoring.score``, to exactly the intended total.
"""

import functools
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from alliance.clinical.instruments import shipped_instruments
from alliance.clinical.plan import DEFAULT_PLAN, client_questions, plan_course

REVERSED_RSES = frozenset({"rses_2", "rses_5", "rses_6", "rses_8", "rses_9"})
CLIENT_ITEMS = tuple(
    f"ac_{name}"
    for name in ("heard", "understood", "respected", "safe", "goals", "approach", "overall")
)
THERAPIST_ITEMS = tuple("at_" + item.removeprefix("ac_") for item in CLIENT_ITEMS)
PHQ9_ITEMS = tuple(f"phq9_{n}" for n in range(1, 9))  # item 9 is set on its own
GAD7_ITEMS = tuple(f"gad7_{n}" for n in range(1, 8))
RSES_ITEMS = tuple(f"rses_{n}" for n in range(1, 11))


@dataclass(frozen=True, slots=True)
class SyntheticSession:
    number: int  # 1 = intake
    day: date
    answers: Mapping[str, Mapping[str, int]]  # instrument code -> item id -> value
    totals: Mapping[str, int]  # instrument code -> the total the answers were built to score


@dataclass(slots=True)
class Series:
    """One episode's intended values per session, before they become item answers. The model and
    the demo patterns both build one; ``render`` turns it into sessions."""

    days: list[date]
    client: list[int]
    client_tension: list[int]
    client_repair: list[int | None]
    therapist: list[int]
    therapist_tension: list[int]
    therapist_repair: list[int | None]
    phq9: list[int]
    phq9_item9: list[int]
    gad7: list[int]
    rses: list[int | None]  # None where the Rosenberg scale is not due


def rses_due(days: Sequence[date]) -> list[bool]:
    """Which sessions ask the Rosenberg scale on the default plan (alliance.clinical.plan)."""
    questions = client_questions(shipped_instruments())
    return ["rses" in due for due in plan_course(DEFAULT_PLAN, days=days, questions=questions)]


def render(rng: random.Random, series: Series) -> tuple[SyntheticSession, ...]:
    """Turn intended totals into item answers. Each client answers with a stable profile (some
    items always a little higher than others), varying from session to session in which items
    round up."""
    client = _Profile(rng, "alliance_client", CLIENT_ITEMS)
    therapist = _Profile(rng, "alliance_therapist", THERAPIST_ITEMS)
    phq9 = _Profile(rng, "phq9", PHQ9_ITEMS)
    gad7 = _Profile(rng, "gad7", GAD7_ITEMS)
    rses = _Profile(rng, "rses", RSES_ITEMS)
    sessions = []
    for i, day in enumerate(series.days):
        item9 = series.phq9_item9[i]
        phq9_answers = phq9.answers(rng, series.phq9[i] - item9)
        phq9_answers["phq9_9"] = item9
        answers: dict[str, dict[str, int]] = {
            "alliance_client": client.answers(rng, series.client[i])
            | _tension_items("ac", series.client_tension[i], series.client_repair[i]),
            "alliance_therapist": therapist.answers(rng, series.therapist[i])
            | _tension_items("at", series.therapist_tension[i], series.therapist_repair[i]),
            "phq9": phq9_answers,
            "gad7": gad7.answers(rng, series.gad7[i]),
        }
        totals = {
            "alliance_client": series.client[i],
            "alliance_therapist": series.therapist[i],
            "phq9": series.phq9[i],
            "gad7": series.gad7[i],
        }
        esteem = series.rses[i]
        if esteem is not None:
            # Reverse-keyed items score 3 - answer, so the answer is 3 - the points they carry.
            answers["rses"] = {
                item: 3 - value if item in REVERSED_RSES else value
                for item, value in rses.answers(rng, esteem).items()
            }
            totals["rses"] = esteem
        sessions.append(SyntheticSession(i + 1, day, answers, totals))
    return tuple(sessions)


def _tension_items(prefix: str, tension: int, repair: int | None) -> dict[str, int]:
    items = {f"{prefix}_tension": tension}
    if tension and repair is not None:
        items[f"{prefix}_repair"] = repair
    return items


class _Profile:
    """How one respondent spreads a total over one instrument's items: some items always a little
    higher than others (one of PROFILES fixed weightings), varying between sessions in which
    items round up (one of OFFSETS steps)."""

    def __init__(self, rng: random.Random, code: str, items: tuple[str, ...]) -> None:
        self.code = code
        self.items = items
        self.profile = int(rng.random() * PROFILES)

    def answers(self, rng: random.Random, total: int) -> dict[str, int]:
        step = int(rng.random() * OFFSETS)
        return dict(zip(self.items, _spread(self.code, self.profile, total, step), strict=True))


PROFILES = 24
OFFSETS = 8
_SCALES = {  # instrument code -> (items, lowest answer, points above it an item can carry)
    "alliance_client": (CLIENT_ITEMS, 1, 4),
    "alliance_therapist": (THERAPIST_ITEMS, 1, 4),
    "phq9": (PHQ9_ITEMS, 0, 3),
    "gad7": (GAD7_ITEMS, 0, 3),
    "rses": (RSES_ITEMS, 0, 3),
}


@functools.cache
def _spread(code: str, profile: int, total: int, step: int) -> tuple[int, ...]:
    """Item values summing exactly to ``total``. Systematic rounding: each item gets its share
    rounded down or up, as a running sum with an offset crosses whole numbers. Cached, because a
    practice has few distinct (profile, total, step) combinations and many sessions."""
    items, lowest, cap = _SCALES[code]
    points = total - lowest * len(items)
    if not 0 <= points <= cap * len(items):
        raise ValueError(f"{total} is not a possible total of {code}")
    shares = _capped_shares(_weights(code, profile), points, cap)
    running = (step + 0.5) / OFFSETS
    edges = [math.floor(running)]
    for share in shares:
        running += share
        edges.append(math.floor(running))
    values = [min(later - earlier, cap) for earlier, later in itertools.pairwise(edges)]
    # Float error could, very rarely, round an item at its cap up once more: give the point back.
    for i in range(len(values)):
        while sum(values) < points and values[i] < cap:
            values[i] += 1
    return tuple(value + lowest for value in values)


@functools.cache
def _weights(code: str, profile: int) -> tuple[float, ...]:
    """Profile ``profile`` of an instrument: how much each item leans up or down, fixed by name."""
    draw = random.Random(f"{code}:{profile}")  # noqa: S311 -- demo data, not secrets
    return tuple(0.6 + draw.random() for _ in _SCALES[code][0])


def _capped_shares(weights: Sequence[float], points: int, cap: int) -> list[float]:
    """Proportional shares of ``points`` of which none exceeds ``cap`` (water-filling)."""
    shares = [0.0] * len(weights)
    open_items = set(range(len(weights)))
    left = float(points)
    while open_items:
        scale = left / sum(weights[i] for i in open_items)
        full = {i for i in open_items if weights[i] * scale >= cap}
        if not full:
            for i in open_items:
                shares[i] = weights[i] * scale
            break
        for i in full:
            shares[i] = float(cap)
        left -= cap * len(full)
        open_items -= full
    return shares
