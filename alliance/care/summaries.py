"""Reads for the therapist's client page: each instrument's series and what stands out."""

from dataclasses import dataclass, field

from alliance.care.instruments import instrument
from alliance.care.models import Response
from alliance.clients.models import Client
from alliance.clinical.instruments import Instrument, Item

# How many of the worst-answered items the page lists per instrument.
WORST_SHOWN = 3


@dataclass(frozen=True)
class Row:
    response: Response
    change: int | None  # since the first response; None for the first


@dataclass(frozen=True)
class WorstItem:
    text: str
    answer: str


@dataclass
class Series:
    instrument: Instrument
    rows: list[Row] = field(default_factory=list)
    worst: list[WorstItem] = field(default_factory=list)


def _how_bad(found: Instrument, item: Item, value: int) -> int:
    """How far from the best answer: the direction of the total says which end is best."""
    points = item.points(value)
    return points - item.scale.min if found.higher_is == "worse" else item.scale.max - points


def worst_items(found: Instrument, response: Response) -> list[WorstItem]:
    """The items answered worse than the client's best answer, worst first. When every answer
    is the same, no item stands out and none is listed."""
    ranked = sorted(
        (
            (_how_bad(found, item, response.answers[item.id]), index, item)
            for index, item in enumerate(found.items)
            if item.scored and item.id in response.answers
        ),
        key=lambda entry: (-entry[0], entry[1]),
    )
    if not ranked:
        return []
    best = ranked[-1][0]
    labels = {item.id: {o.value: o.label for o in item.scale.options} for item in found.items}
    return [
        WorstItem(item.text.rstrip(".?"), labels[item.id][response.answers[item.id]])
        for badness, _, item in ranked[:WORST_SHOWN]
        if badness > best
    ]


def client_series(client: Client) -> list[Series]:
    """Every response of the client, by instrument, oldest first, with change since the first."""
    by_code: dict[str, Series] = {}
    responses = (
        Response.objects.filter(client=client)
        .select_related("session")
        .order_by("session__date", "completed_at")
    )
    for response in responses:
        found = instrument(response.instrument)
        if found is None:
            continue  # a definition the practice has since removed
        series = by_code.setdefault(response.instrument, Series(found))
        first = series.rows[0].response.total if series.rows else None
        series.rows.append(Row(response, None if first is None else response.total - first))
    for series in by_code.values():
        series.worst = worst_items(series.instrument, series.rows[-1].response)
    order = {code: position for position, code in enumerate(("phq9", "gad7", "rses"))}
    return sorted(
        by_code.values(), key=lambda s: (order.get(s.instrument.code, 9), s.instrument.code)
    )
