"""The relationship engine's Django side: series in, signals and alerts out.

The engine (alliance.clinical.signals) is pure; this module reads a client's latest episode into
its session points, stores what it finds (SignalRecord, replaced whole per client), and raises
the alerts a therapist acts on. A response arriving recomputes its client (a task); `manage.py
signals_recompute` recomputes everyone and refits the practice's norms.
"""

import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max, QuerySet, Subquery

from alliance.care.models import (
    Alert,
    AlertEvent,
    AlertKind,
    AlertState,
    Client,
    Episode,
    PracticeNormsRecord,
    Response,
    SignalRecord,
    TherapySession,
)
from alliance.clinical.signals.engine import signals_for
from alliance.clinical.signals.expected import ExpectedCurve
from alliance.clinical.signals.model import Episode as SeriesEpisode
from alliance.clinical.signals.model import SessionPoint, Signal
from alliance.clinical.signals.norms import PracticeNorms, default_norms, practice_norms_fit
from alliance.clinical.signals.parameters import SignalSettings
from alliance.clinical.signals.references import NO_REPAIR_IN_WINDOW
from alliance.practice.models import Practice

logger = logging.getLogger(__name__)

# Signals that become alerts (repair is good news: a marker on the chart, not an alert).
ALERT_KINDS = frozenset(AlertKind.values) - {AlertKind.RISK}
# Only signals from recent sessions raise alerts: an old rupture, long since worked through, is
# history for the chart, not something to act on before the next session.
ALERT_LOOKBACK = timedelta(days=28)


def practice_signal_settings(practice: Practice) -> SignalSettings:
    """The engine's defaults with the practice's own changes (Practice.signal_settings)."""
    known = {field.name for field in fields(SignalSettings)}
    chosen = {k: v for k, v in (practice.signal_settings or {}).items() if k in known}
    return SignalSettings(**chosen)


def _norms_from_json(data: dict[str, Any]) -> PracticeNorms:
    if not data:
        return default_norms()
    curves = {measure: ExpectedCurve(**curve) for measure, curve in data["curves"].items()}
    return PracticeNorms(
        change_sd=data["change_sd"],
        changes=data["changes"],
        gap_mean=data["gap_mean"],
        gap_sd=data["gap_sd"],
        gaps=data["gaps"],
        therapist_usual={int(key): value for key, value in data["therapist_usual"].items()},
        curves=curves,
    )


def _norms_to_json(norms: PracticeNorms) -> dict[str, Any]:
    data = asdict(norms)
    data["therapist_usual"] = {str(key): value for key, value in norms.therapist_usual.items()}
    data["curves"] = {measure: curve.as_dict() for measure, curve in norms.curves.items()}
    return data


# The norms change once a night (the full recompute); a process keeps its decoded copy for a
# minute rather than reading and decoding them on every response.
NORMS_KEPT_FOR = 60.0
_kept: list[tuple[float, PracticeNorms]] = []


def stored_norms() -> PracticeNorms:
    """The norms of the last full recompute (or the defaults before there was one)."""
    if _kept and time.monotonic() - _kept[0][0] < NORMS_KEPT_FOR:
        return _kept[0][1]
    record = PracticeNormsRecord.objects.order_by("-fitted_at").first()
    norms = _norms_from_json(record.norms) if record is not None else default_norms()
    _kept[:] = [(time.monotonic(), norms)]
    return norms


def stored_norms_forget() -> None:
    _kept.clear()


Row = tuple[int, str, int, int | None, int | None, int | None]


def response_rows(responses: QuerySet[Response], *leading: str) -> QuerySet[Any]:
    """(…leading, session id, instrument, total, tension, repair, item9)."""
    return responses.values_list(
        *leading, "session_id", "instrument", "total", "tension", "repair", "item9"
    )


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
        .order_by("date")
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


def evidence_key(signal: Signal) -> str:
    """The key of one rule's figures in an alert: the rule, and the measure where one rule can
    fire for two (not on track on the PHQ-9 and the GAD-7 at one session)."""
    measure = signal.evidence.get("measure")
    return f"{signal.rule}:{measure}" if measure else signal.rule


def signals_digest(session_ids: Sequence[int], found: Sequence[Signal]) -> str:
    """A fingerprint of what would be stored: the same signals at the same sessions, with the
    same figures and settings, give the same digest."""
    keys = sorted(
        repr(
            (
                signal.kind,
                signal.rule,
                session_ids[signal.session - 1],
                sorted(signal.evidence.items()),
                sorted(signal.parameters.items()),
            )
        )
        for signal in found
    )
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def signals_store(
    *,
    client_id: int,
    episode_id: int,
    stored_digest: str,
    therapist_id: int,
    sessions: Sequence[tuple[int, date]],
    found: Sequence[Signal],
    now: datetime,
    zone: ZoneInfo,
) -> None:
    """Replace the client's signals and raise or resolve the alerts they call for, unless they
    are the signals stored last time: most responses change nothing already found, and then
    nothing is read or written.

    Unchanged signals need no alert work either: alerts change with the signals, and resolving
    an alert never calls for a new one from signals already there (see ``_alerts_sync``). The
    digest is written with them, so a failure on the way leaves it to the next recompute."""
    session_ids = [session_id for session_id, _ in sessions]
    digest = signals_digest(session_ids, found)
    if digest == stored_digest:
        return
    # One transaction (one commit) for the signals, their alerts and the digest: all or none.
    with transaction.atomic():
        SignalRecord.objects.filter(client_id=client_id).delete()
        SignalRecord.objects.bulk_create(
            SignalRecord(
                client_id=client_id,
                session_id=session_ids[signal.session - 1],
                kind=signal.kind,
                rule=signal.rule,
                parameters=signal.parameters,
                evidence=signal.evidence,
                source=signal.source,
            )
            for signal in found
        )
        _alerts_sync(client_id, therapist_id, sessions, found, now.astimezone(zone).date(), zone)
        Episode.objects.filter(pk=episode_id).update(signals_digest=digest)


def _alerts_sync(
    client_id: int,
    therapist_id: int,
    sessions: Sequence[tuple[int, date]],
    found: Sequence[Signal],
    today: date,
    zone: ZoneInfo,
) -> None:
    """Raise an alert for each recent signal that has none yet, and close the rupture alerts
    whose rupture the engine now sees repaired. Called inside signals_store's transaction."""
    grouped: dict[tuple[str, int], list[Signal]] = defaultdict(list)
    repairs: dict[int, Signal] = {}
    for signal in found:
        session_id, day = sessions[signal.session - 1]
        if signal.kind in ALERT_KINDS and today - day <= ALERT_LOOKBACK:
            grouped[(signal.kind, session_id)].append(signal)
        elif signal.kind == "repair":
            rupture_session = signal.evidence.get("rupture_session")
            if isinstance(rupture_session, int):
                repairs.setdefault(sessions[rupture_session - 1][0], signal)
    if not grouped and not repairs:
        return
    day_of = dict(sessions)
    rows = list(
        Alert.objects.filter(client_id=client_id, session__isnull=False)
        .annotate(last_change=Max("events__at"))
        .values_list("pk", "kind", "session_id", "state", "evidence", "last_change")
    )
    existing = {(kind, session_id): (pk, state) for pk, kind, session_id, state, *_ in rows}
    # One alert per thing to act on. An alert covers its kind for the client until it is
    # resolved: a client not on track at four sessions running has one not-on-track alert, not
    # four, and signals from sessions up to the day it was resolved are part of what the
    # therapist dealt with; only a later session raises the kind again.
    covered_until: dict[str, date] = {}
    for _, kind, _, state, _, last_change in rows:
        until = date.max if state != AlertState.RESOLVED else last_change.astimezone(zone).date()
        covered_until[kind] = max(until, covered_until.get(kind, date.min))
    # A further fall that began before an unrepaired rupture's window closed is that same
    # rupture, still unrepaired: a therapist who resolved its alert is not asked again.
    unrepaired_until = max(
        (
            evidence.get(NO_REPAIR_IN_WINDOW, {}).get("window_closed_at") or 0
            for _, kind, _, _, evidence, _ in rows
            if kind == AlertKind.UNREPAIRED_RUPTURE
        ),
        default=0,
    )
    for (kind, session_id), signals in sorted(grouped.items(), key=lambda item: item[0][1]):
        if (kind, session_id) in existing or day_of[session_id] <= covered_until.get(
            kind, date.min
        ):
            continue
        if kind == AlertKind.UNREPAIRED_RUPTURE and _rupture_session(signals) <= unrepaired_until:
            continue
        covered_until[kind] = date.max
        alert = Alert.objects.create(
            client_id=client_id,
            therapist_id=therapist_id,
            kind=kind,
            session_id=session_id,
            rule=", ".join(dict.fromkeys(signal.rule for signal in signals)),
            evidence={evidence_key(signal): signal.evidence for signal in signals},
            parameters={evidence_key(signal): signal.parameters for signal in signals},
            source="; ".join(sorted({signal.source for signal in signals}))[:300],
        )
        AlertEvent.objects.create(alert=alert, state=AlertState.OPEN)
        existing[(kind, session_id)] = (alert.pk, AlertState.OPEN)
    for session_id, repair in repairs.items():
        raised = existing.get((AlertKind.RUPTURE, session_id))
        if raised is None or raised[1] == AlertState.RESOLVED:
            continue
        pk = raised[0]
        how = (
            "the client's score came back"
            if repair.rule == "score_recovered"
            else "the client said it was talked through well"
        )
        Alert.objects.filter(pk=pk).update(state=AlertState.RESOLVED)
        AlertEvent.objects.create(alert_id=pk, state=AlertState.RESOLVED, note=f"Repaired: {how}.")


def _rupture_session(signals: Sequence[Signal]) -> int:
    session = signals[0].evidence.get("rupture_session")
    return session if isinstance(session, int) else 0


def signals_recompute_client(*, client: Client, now: datetime) -> list[Signal]:
    """The incremental update: one client's latest episode, against the stored norms."""
    latest = latest_episode_series(client)
    if latest is None:
        return []
    practice = Practice.objects.current()
    norms = stored_norms()
    found = signals_for(
        series_from_rows(latest.sessions, latest.rows),
        practice_signal_settings(practice),
        norms,
        norms.therapist_usual.get(latest.therapist_id),
    )
    signals_store(
        client_id=client.pk,
        episode_id=latest.episode_id,
        stored_digest=latest.signals_digest,
        therapist_id=latest.therapist_id,
        sessions=latest.sessions,
        found=found,
        now=now,
        zone=ZoneInfo(practice.time_zone),
    )
    return found


def signals_recompute_all(*, now: datetime) -> tuple[int, int]:
    """Refit the practice's norms from every latest episode, then recompute every client.
    Returns (episodes, signals)."""
    practice = Practice.objects.current()
    settings = practice_signal_settings(practice)
    latest: dict[int, Episode] = {}
    for episode in Episode.objects.order_by("client_id", "-started_on", "-pk"):
        latest.setdefault(episode.client_id, episode)
    episodes = list(latest.values())
    sessions: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for session_id, episode_id, day in (
        TherapySession.objects.filter(episode__in=episodes)
        .order_by("date")
        .values_list("id", "episode_id", "date")
    ):
        sessions[episode_id].append((session_id, day))
    rows: dict[int, list[Row]] = defaultdict(list)
    responses = Response.objects.filter(session__episode__in=episodes)
    for episode_id, *row in response_rows(responses, "session__episode_id"):
        rows[episode_id].append(tuple(row))
    series = {
        episode.pk: series_from_rows(sessions[episode.pk], rows[episode.pk]) for episode in episodes
    }
    norms = practice_norms_fit(
        [SeriesEpisode(episode.therapist_id, series[episode.pk]) for episode in episodes],
        settings,
    )
    PracticeNormsRecord.objects.all().delete()
    PracticeNormsRecord.objects.create(
        norms=_norms_to_json(norms), fitted_at=now, episodes=len(episodes)
    )
    stored_norms_forget()
    total = 0
    zone = ZoneInfo(practice.time_zone)
    for episode in episodes:
        found = signals_for(
            series[episode.pk], settings, norms, norms.therapist_usual.get(episode.therapist_id)
        )
        signals_store(
            client_id=episode.client_id,
            episode_id=episode.pk,
            stored_digest=episode.signals_digest,
            therapist_id=episode.therapist_id,
            sessions=sessions[episode.pk],
            found=found,
            now=now,
            zone=zone,
        )
        total += len(found)
    logger.info("signals recomputed for %d episodes: %d signals", len(episodes), total)
    return len(episodes), total
