"""Answers to a score: total, band, proration, flags and subscales.

``score`` takes answers as they arrive from a form, an import or the API, and either returns a
``Score`` or raises ``AnswerError`` listing every problem; it raises nothing else, whatever it is
given. The core does not guess: an answer must be a Python ``int`` that is one of the item's option
values. ``True``/``False`` (a ``bool`` is an ``int`` to Python), floats (even ``1.0``) and strings
of digits are refused; turning form text into numbers is the shell's job. ``None`` means "not
answered", like a missing key, because that is how JSON imports carry a skipped question.

Flags, such as PHQ-9 item 9, are worked out from every valid answer even when the response as a
whole cannot be scored, and travel on the ``AnswerError``: a risk answer must raise an alert even
in a record with gaps too large to prorate. A flag whose item was answered with something that is
not one of its values (``true``, 4, "often") is ``unreadable`` on the error: a risk answer that
cannot be read must reach a clinician too.

A follow-up (an item with ``enable_when``) answered when its condition does not hold is refused.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from alliance.clinical.change import in_clinical_range
from alliance.clinical.instruments import Instrument, Item


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a set of answers; ``item`` is the item id it concerns, if any."""

    item: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.item}: {self.message}" if self.item is not None else self.message


class AnswerError(ValueError):
    """The answers cannot be scored. ``problems`` lists every reason; ``flags`` holds the flags
    that the valid answers raise all the same, ``unreadable`` those whose item's answer is not one
    of its values."""

    def __init__(
        self,
        problems: Sequence[Problem],
        flags: frozenset[str] = frozenset(),
        unreadable: frozenset[str] = frozenset(),
    ) -> None:
        self.problems = tuple(problems)
        self.flags = flags
        self.unreadable = unreadable
        super().__init__("; ".join(str(problem) for problem in self.problems))


@dataclass(frozen=True, slots=True)
class Score:
    instrument: str
    total: int
    band: str | None
    prorated: bool  # the total was estimated from the answered items (see ``missing``)
    flags: frozenset[str]
    subscales: Mapping[str, int]  # only the subscales whose items were all answered
    answers: Mapping[str, int]  # the validated answers, item id to value as given
    missing: tuple[str, ...]  # scored items without an answer (only when prorated)


def score(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """Score one response to ``instrument``; raises ``AnswerError`` and nothing else."""
    items = {item.id: item for item in instrument.items}
    problems: list[Problem] = []
    valid: dict[str, int] = {}
    wrong: set[str] = set()  # items answered with something that is not one of their values
    for key, value in answers.items():
        item = items.get(key) if isinstance(key, str) else None
        if item is None:
            where = key if isinstance(key, str) else None
            problems.append(Problem(where, f"not a question of {instrument.short_name}"))
        elif value is None:
            continue
        elif isinstance(value, bool) or not isinstance(value, int):
            wrong.add(item.id)
            problems.append(
                Problem(item.id, f"expected a whole number ({_allowed(item)}), got {_short(value)}")
            )
        elif value not in item.scale.values:
            wrong.add(item.id)
            problems.append(
                Problem(item.id, f"{_short(value)} is not one of the answers ({_allowed(item)})")
            )
        else:
            valid[item.id] = value

    problems += unasked_answers(instrument, valid)
    flags = _flags(instrument, valid)
    # An item with a wrong value already has its problem; it is not "missing" as well.
    unanswered = [item for item in instrument.items if answers.get(item.id) is None]
    problems += [
        Problem(item.id, "no answer; this question is required")
        for item in unanswered
        if item.required and not item.scored
    ]
    missing = tuple(item.id for item in unanswered if item.scored)
    problems += _missing_problems(instrument, missing)
    if problems:
        unreadable = frozenset(flag.code for flag in instrument.flags if flag.item in wrong)
        raise AnswerError(problems, flags, unreadable)

    total = _total(instrument, valid, missing)
    band = instrument.band_for(total)
    subscales = {
        subscale.code: sum(items[item_id].points(valid[item_id]) for item_id in subscale.items)
        for subscale in instrument.subscales
        if all(item_id in valid for item_id in subscale.items)
    }
    return Score(
        instrument=instrument.code,
        total=total,
        band=band.label if band is not None else None,
        prorated=bool(missing),
        flags=flags,
        subscales=MappingProxyType(subscales),
        answers=MappingProxyType(valid),
        missing=missing,
    )


def unasked_answers(instrument: Instrument, answers: Mapping[str, int]) -> list[Problem]:
    """A problem for each follow-up answered although it was not asked: "If there was tension,
    how well did you talk it through?" after "No tension" is refused, not stored as a repair."""
    problems = []
    for item in instrument.items:
        condition = item.enable_when
        if condition is None or item.id not in answers:
            continue
        given = answers.get(condition.item)
        if given is not None and given >= condition.at_least:
            continue
        was = f"is {given}" if given is not None else "has no answer"
        problems.append(
            Problem(
                item.id,
                f"answered, but it is asked only when {condition.item} is {condition.at_least} "
                f"or more, and {condition.item} {was}",
            )
        )
    return problems


def caseness(instrument: Instrument, total: int) -> bool | None:
    """Whether a total is at or beyond the instrument's clinical cut-off; None without one."""
    if instrument.cutoff is None:
        return None
    return in_clinical_range(total, instrument.cutoff, higher_is=instrument.higher_is)


def _allowed(item: Item) -> str:
    return ", ".join(str(option.value) for option in item.scale.options)


def _missing_problems(instrument: Instrument, missing: tuple[str, ...]) -> list[Problem]:
    if not missing:
        return []
    proration = instrument.proration
    if proration is None:
        return [
            Problem(item_id, f"no answer; {instrument.short_name} is scored only when complete")
            for item_id in missing
        ]
    # Arrieta et al. 2017 (PHQ-9): a missing item 9 is never estimated from the others, because
    # a gap there must not read as "no thoughts of self-harm".
    problems = [
        Problem(item_id, "no answer; this item is never estimated from the others")
        for item_id in missing
        if item_id in proration.never_missing
    ]
    if len(missing) > proration.max_missing:
        scored = len(instrument.scored_items)
        problems += [
            Problem(
                item_id,
                f"no answer; at most {proration.max_missing} of {scored} scored items "
                f"may be missing and {len(missing)} are",
            )
            for item_id in missing
            if item_id not in proration.never_missing
        ]
    return problems


def _total(instrument: Instrument, valid: Mapping[str, int], missing: tuple[str, ...]) -> int:
    points = [item.points(valid[item.id]) for item in instrument.scored_items if item.id in valid]
    if not missing:
        return sum(points)
    # Arrieta et al. 2017: prorated total = mean of the answered items x number of items, rounded
    # half up. Fractions keep 13/7 x 9 exact, so a true .5 is never nudged either way by floats.
    estimate = Fraction(sum(points), len(points)) * len(instrument.scored_items)
    return math.floor(estimate + Fraction(1, 2))


def _flags(instrument: Instrument, valid: Mapping[str, int]) -> frozenset[str]:
    return frozenset(
        flag.code
        for flag in instrument.flags
        if flag.item in valid and valid[flag.item] >= flag.at_least
    )


def _short(value: object) -> str:
    """A value for an error message: short, and safe for any input (``repr`` of a huge int
    raises ValueError, and a megabyte of text would drown the message)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**12:
        return "a number that large"
    try:
        text = repr(value)
    except Exception:
        return f"a {type(value).__name__}"
    return text if len(text) <= 40 else f"{text[:37]}..."
