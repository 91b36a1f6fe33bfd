"""A client's outcomes by published definitions, from their latest episode's scores."""

from dataclasses import dataclass

from alliance.care.instruments import instrument
from alliance.care.models import Response
from alliance.clients.models import Client
from alliance.clinical.change import Direction, reliable_change_direction
from alliance.clinical.nhs import NhsOutcome, nhs_outcome

MEASURES = ("phq9", "gad7", "rses")


@dataclass(frozen=True)
class ScoreChange:
    first: int | None
    last: int | None  # a later score than the first; None with fewer than two
    change: int | None
    reliable_change: Direction | None


@dataclass(frozen=True)
class Outcomes:
    measures: dict[str, ScoreChange]
    nhs: NhsOutcome


def _score_change(code: str, totals: list[int]) -> ScoreChange:
    if len(totals) < 2:
        return ScoreChange(totals[0] if totals else None, None, None, None)
    first, last = totals[0], totals[-1]
    found = instrument(code)
    direction = (
        reliable_change_direction(
            first, last, reliable_change=found.reliable_change, higher_is=found.higher_is
        )
        if found is not None and found.reliable_change is not None
        else None
    )
    return ScoreChange(first, last, last - first, direction)


def client_outcomes(client: Client) -> Outcomes:
    """First and last scores of the latest episode, reliable change (the instrument's value:
    NHS Talking Therapies for PHQ-9 and GAD-7), and the NHS paired outcomes."""
    episode = client.episodes.order_by("-started_on", "-pk").first()
    rows = (
        Response.objects.filter(session__episode=episode, instrument__in=MEASURES)
        .order_by("session__date", "completed_at")
        .values_list("instrument", "total")
        if episode is not None
        else Response.objects.none().values_list("instrument", "total")
    )
    totals: dict[str, list[int]] = {code: [] for code in MEASURES}
    for code, total in rows:
        totals[code].append(total)
    measures = {code: _score_change(code, totals[code]) for code in MEASURES}
    sessions = episode.sessions.count() if episode is not None else 0
    nhs = nhs_outcome(
        phq9_first=measures["phq9"].first,
        phq9_last=measures["phq9"].last,
        gad7_first=measures["gad7"].first,
        gad7_last=measures["gad7"].last,
        sessions=sessions,
    )
    return Outcomes(measures, nhs)
