"""A client's latest episode read from the database as the engine's session points, and what
the engine found in it."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Subquery

from alliance.care.models import (
    TherapySession,
)
from alliance.clients.models import Client
from alliance.clinical.signals.model import SessionPoint, Signal

Row = tuple[int, str, int, int | None, int | None, int | None]


def series_from_rows(
    sessions: Sequence[tuple[int, date]], rows: Iterable[Row]
) -> list[SessionPoint]:
    """Session points, numbered in date order, from (session id, date) and response rows."""
    values: dict[int, dict[str, int | None]] = defaultdict(dict)
    for session_id, instrument, total, tension, repair, item9 in rows:
        point = values[session_id]
        if instrument == "alliance_client":
            point["client_alliance"] = total
            point["client_tension"] = tension
            point["client_repair"] = repair
        elif instrument == "alliance_therapist":
            point["therapist_alliance"] = total
            point["therapist_tension"] = tension
        elif instrument == "phq9":
            point["phq9"] = total
            point["phq9_item9"] = item9
        elif instrument in ("gad7", "rses"):
            point[instrument] = total
    return [
        SessionPoint(number, day, **values.get(session_id, {}))
        for number, (session_id, day) in enumerate(sessions, start=1)
    ]


@dataclass(frozen=True)
class LatestEpisode:
    """What the incremental update needs of a client's latest episode, read in one query."""

    episode_id: int
    therapist_id: int
    signals_digest: str
    sessions: list[tuple[int, date]]
    rows: list[Row]


def latest_episode_series(client: Client) -> LatestEpisode | None:
    """The latest episode's sessions with their responses: one query, a session with no
    response yet included (it still counts in the session numbers)."""
    latest = client.episodes.order_by("-started_on", "-pk").values("pk")[:1]
    joined = (
        TherapySession.objects.filter(episode=Subquery(latest))
        .order_by("date", "id")  # as the nightly recompute numbers them
        .values_list(
            "id",
            "date",
            "episode_id",
            "episode__therapist_id",
            "episode__signals_digest",
            "responses__instrument",
            "responses__total",
            "responses__tension",
            "responses__repair",
            "responses__item9",
        )
    )
    episode: tuple[int, int, str] | None = None
    sessions: dict[int, date] = {}
    rows: list[Row] = []
    for (
        session_id,
        day,
        episode_id,
        therapist,
        digest,
        instrument,
        total,
        tension,
        repair,
        item9,
    ) in joined:
        episode = (episode_id, therapist, digest)
        sessions[session_id] = day
        if instrument is not None:  # a session without responses comes as one row of None
            rows.append((session_id, instrument, total, tension, repair, item9))
    if episode is None:
        return None
    return LatestEpisode(*episode, list(sessions.items()), rows)


@dataclass(frozen=True)
class Recomputed:
    """One client's signals, freshly found for their latest episode."""

    client_id: int
    episode_id: int
    therapist_id: int
    sessions: Sequence[tuple[int, date]]
    found: Sequence[Signal]
    digest: str
