"""From intended totals to item answers, for the synthetic practice history (``model``).

Each respondent spreads a total over an instrument's items in a stable way (some items always a
little higher than others) that varies between sessions only in which items round up; the answers
always score, with ``alliance.clinical.scoring.score``, to exactly the intended total. Which items
there are, their answer range and their reverse keying are read from the instrument definitions.
"""

import functools
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from alliance.clinical.instruments import Instrument, Item, shipped_instruments
from alliance.clinical.plan import DEFAULT_PLAN, client_questions, plan_course

INSTRUMENTS = shipped_instruments()


def _flagged(code: str, flag: str) -> str:
    """The item whose answer raises ``flag`` on instrument ``code``."""
    return next(each.item for each in INSTRUMENTS[code].flags if each.code == flag)


# PHQ-9's risk item is set on its own (the model decides who answers it, and when); the other
# scored items carry the rest of the total.
RISK_ITEM = _flagged("phq9", "risk")


@dataclass(frozen=True, slots=True)
class _Scale:
    """The items a total is spread over, all on one scale: each carries ``lowest`` points to
    ``lowest + cap``."""

    items: tuple[Item, ...]
    lowest: int
    cap: int


def _scale(instrument: Instrument) -> _Scale:
    items = tuple(item for item in instrument.scored_items if item.id != RISK_ITEM)
    scales = {item.scale for item in items}
    if len(scales) != 1:
        raise ValueError(f"{instrument.code}: the scored items do not share one scale")
    (scale,) = scales
    return _Scale(items, scale.min, scale.max - scale.min)


def _tension_and_repair(code: str) -> tuple[str, str]:
    """An alliance check-in's tension question (the one its "tension" flag reads) and the
    repair question asked only when tension is reported."""
    tension = _flagged(code, "tension")
    repair = next(
        item.id
        for item in INSTRUMENTS[code].items
        if item.enable_when is not None and item.enable_when.item == tension
    )
    return tension, repair


_SCALES = {
    code: _scale(INSTRUMENTS[code])
    for code in ("alliance_client", "alliance_therapist", "phq9", "gad7", "rses")
}
_TENSION = {code: _tension_and_repair(code) for code in ("alliance_client", "alliance_therapist")}


def spread_totals(code: str) -> tuple[int, int]:
    """The lowest and the highest total ``render`` can spread over ``code``'s items (PHQ-9's
    without the risk item, which is set on its own)."""
    scale = _SCALES[code]
    return scale.lowest * len(scale.items), (scale.lowest + scale.cap) * len(scale.items)


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
    questions = client_questions(INSTRUMENTS)
    return ["rses" in due for due in plan_course(DEFAULT_PLAN, days=days, questions=questions)]


def render(rng: random.Random, series: Series) -> tuple[SyntheticSession, ...]:
    """Turn intended totals into item answers. Each client answers with a stable profile (some
    items always a little higher than others), varying from session to session in which items
    round up."""
    client = _Profile(rng, "alliance_client")
    therapist = _Profile(rng, "alliance_therapist")
    phq9 = _Profile(rng, "phq9")
    gad7 = _Profile(rng, "gad7")
    rses = _Profile(rng, "rses")
    sessions = []
    for i, day in enumerate(series.days):
        item9 = series.phq9_item9[i]
        phq9_answers = phq9.answers(rng, series.phq9[i] - item9)
        phq9_answers[RISK_ITEM] = item9
        answers: dict[str, dict[str, int]] = {
            "alliance_client": client.answers(rng, series.client[i])
            | _tension_items("alliance_client", series.client_tension[i], series.client_repair[i]),
            "alliance_therapist": therapist.answers(rng, series.therapist[i])
            | _tension_items(
                "alliance_therapist", series.therapist_tension[i], series.therapist_repair[i]
            ),
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
            answers["rses"] = rses.answers(rng, esteem)
            totals["rses"] = esteem
        sessions.append(SyntheticSession(i + 1, day, answers, totals))
    return tuple(sessions)


def _tension_items(code: str, tension: int, repair: int | None) -> dict[str, int]:
    tension_item, repair_item = _TENSION[code]
    items = {tension_item: tension}
    if tension and repair is not None:
        items[repair_item] = repair
    return items


class _Profile:
    """How one respondent spreads a total over one instrument's items: some items always a little
    higher than others (one of PROFILES fixed weightings), varying between sessions in which
    items round up (one of OFFSETS steps)."""

    def __init__(self, rng: random.Random, code: str) -> None:
        self.code = code
        self.items = _SCALES[code].items
        self.profile = int(rng.random() * PROFILES)

    def answers(self, rng: random.Random, total: int) -> dict[str, int]:
        step = int(rng.random() * OFFSETS)
        points = _spread(self.code, self.profile, total, step)
        # Reverse keying undoes itself: the answer that carries p points is item.points(p).
        return {item.id: item.points(value) for item, value in zip(self.items, points, strict=True)}


PROFILES = 24
OFFSETS = 8


@functools.cache
def _spread(code: str, profile: int, total: int, step: int) -> tuple[int, ...]:
    """Item points summing exactly to ``total``. Systematic rounding: each item gets its share
    rounded down or up, as a running sum with an offset crosses whole numbers. Cached, because a
    practice has few distinct (profile, total, step) combinations and many sessions."""
    scale = _SCALES[code]
    items, lowest, cap = scale.items, scale.lowest, scale.cap
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
    return tuple(0.6 + draw.random() for _ in _SCALES[code].items)


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
