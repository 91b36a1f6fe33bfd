"""The relationship engine's Django side: series in, signals and alerts out.

The engine (alliance.clinical.signals) is pure; this module reads a client's latest episode into
its session points, stores what it finds (SignalRecord, replaced whole per client), and raises
the alerts a therapist acts on. A response arriving recomputes its client (a task); the nightly
`manage.py signals_recompute` (alliance.care.recompute) recomputes everyone and refits the
practice's norms when due.
"""

import hashlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KT
from django.utils import timezone

from alliance.care.models import (
    Alert,
    AlertEvent,
    AlertKind,
    AlertState,
    Episode,
    PracticeNormsRecord,
    SignalRecord,
    TherapySession,
)
from alliance.clients.models import Client
from alliance.clinical.signals.engine import signals_for
from alliance.clinical.signals.expected import ExpectedCurve
from alliance.clinical.signals.model import SessionPoint, Signal
from alliance.clinical.signals.norms import PracticeNorms, default_norms
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


def norms_from_json(data: dict[str, Any], version: int) -> PracticeNorms:
    """Stored norms as the engine takes them, carrying the version they were stored as."""
    if not data:
        return replace(default_norms(), version=version)
    curves = {measure: ExpectedCurve(**curve) for measure, curve in data["curves"].items()}
    return PracticeNorms(
        change_sd=data["change_sd"],
        changes=data["changes"],
        gap_mean=data["gap_mean"],
        gap_sd=data["gap_sd"],
        gaps=data["gaps"],
        curves=curves,
        version=version,
    )


def norms_to_json(norms: PracticeNorms) -> dict[str, Any]:
    """The norms for PracticeNormsRecord.norms (the version has its own column)."""
    data = asdict(norms)
    del data["version"]
    data["curves"] = {measure: curve.as_dict() for measure, curve in norms.curves.items()}
    return data


# The norms change once a night (the full recompute) and the practice's engine settings hardly
# ever; a process keeps its decoded copy for a minute rather than reading and decoding them on
# every response (a round trip each, a fifth of an update on PostgreSQL).
KEPT_FOR = 60.0


class _KeptForAMinute[T]:
    def __init__(self, load: Callable[[], T]) -> None:
        self._load = load
        self._kept: list[tuple[float, T]] = []

    def get(self) -> T:
        if self._kept and time.monotonic() - self._kept[0][0] < KEPT_FOR:
            return self._kept[0][1]
        value = self._load()
        self._kept[:] = [(time.monotonic(), value)]
        return value

    def forget(self) -> None:
        self._kept.clear()


def norms_current() -> tuple[PracticeNorms, datetime | None]:
    """The current (newest) version of the norms and when it was fitted; the defaults, version
    0, and None before the first fit."""
    record = PracticeNormsRecord.objects.order_by("-version").first()
    if record is None:
        return default_norms(), None
    return norms_from_json(record.norms, record.version), record.fitted_at


def _norms_load() -> PracticeNorms:
    return norms_current()[0]


def engine_settings_read() -> tuple[SignalSettings, ZoneInfo]:
    """The practice's engine settings and zone, read now (``engine_settings`` keeps them)."""
    practice = Practice.objects.current()
    return practice_signal_settings(practice), practice.zone


_norms = _KeptForAMinute(_norms_load)
_engine_practice = _KeptForAMinute(engine_settings_read)


def engine_settings() -> tuple[SignalSettings, ZoneInfo]:
    """The practice's engine settings and zone (kept a minute, like the norms)."""
    return _engine_practice.get()


def stored_norms() -> PracticeNorms:
    """The current version of the practice's norms (or the defaults before there was one)."""
    return _norms.get()


def stored_norms_forget() -> None:
    """Read the norms and the practice's engine settings afresh next time."""
    _norms.forget()
    _engine_practice.forget()


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


def evidence_key(signal: Signal) -> str:
    """The key of one rule's figures in an alert: the rule, and the measure where one rule can
    fire for two (not on track on the PHQ-9 and the GAD-7 at one session)."""
    measure = signal.evidence.get("measure")
    return f"{signal.rule}:{measure}" if measure else signal.rule


def signals_digest(session_ids: Sequence[int], found: Sequence[Signal]) -> str:
    """A fingerprint of the decisions: which rule fired at which session (with the measure, or
    the rupture, where one rule can fire twice at a session, and whether a deterioration has
    come back). Figures and settings are left out
    on purpose: a refit of the norms moves the figures of every signal that compares with them,
    and rewriting every client for that would change nothing a therapist sees or acts on. The
    stored signals keep the figures (and norms_version) of the time they were decided."""
    keys = sorted(
        repr(
            (
                signal.kind,
                signal.rule,
                session_ids[signal.session - 1],
                signal.evidence.get("measure"),
                signal.evidence.get("rupture_session"),
                # A deterioration that has since come back is told differently.
                signal.evidence.get("back_at_session"),
            )
        )
        for signal in found
    )
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


@dataclass(frozen=True)
class Recomputed:
    """One client's signals, freshly found for their latest episode."""

    client_id: int
    episode_id: int
    therapist_id: int
    sessions: Sequence[tuple[int, date]]
    found: Sequence[Signal]
    digest: str


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
    an alert never calls for a new one from signals already there (see ``_alerts_sync``)."""
    digest = signals_digest([session_id for session_id, _ in sessions], found)
    if digest != stored_digest:
        recomputed = Recomputed(client_id, episode_id, therapist_id, sessions, found, digest)
        signals_store_changed([recomputed], today=now.astimezone(zone).date(), zone=zone)


def signals_store_changed(changed: Sequence[Recomputed], *, today: date, zone: ZoneInfo) -> None:
    """Replace these clients' signals, raise or resolve their alerts and keep their digests, in
    one transaction (all or none: a failure leaves the old digest, so the next recompute does it
    again) and in about ten queries however many clients."""
    candidates = {each.client_id: _alert_candidates(each, today) for each in changed}
    with transaction.atomic():
        SignalRecord.objects.filter(client_id__in=[each.client_id for each in changed]).delete()
        _signal_records_insert(changed)
        alerts = _alert_rows(
            [id for id, (grouped, repairs) in candidates.items() if grouped or repairs]
        )
        raised: list[tuple[Alert, str]] = []
        repaired: list[tuple[int, str]] = []
        for each in changed:
            grouped, repairs = candidates[each.client_id]
            if grouped or repairs:
                new, closed = _alerts_sync(
                    each, grouped, repairs, alerts.get(each.client_id, []), zone
                )
                raised += new
                repaired += closed
        _alerts_write(raised, repaired)
        _deteriorations_retell(changed)
        _digests_update(changed)


def _deteriorations_retell(changed: Sequence[Recomputed]) -> None:
    """An open reliable-deterioration alert takes the figures of its signals as they are now,
    so that its "why" says when the score has since come back rather than that it is still up.
    One query finds the open ones for these clients; one more per alert found (few: open
    deterioration alerts are rare, where a query per signal was thousands a first night)."""
    clients = [
        each.client_id
        for each in changed
        if any(signal.kind == "reliable_deterioration" for signal in each.found)
    ]
    if not clients:
        return
    open_alerts = (
        Alert.objects.filter(
            client_id__in=clients,
            kind=AlertKind.RELIABLE_DETERIORATION,
        )
        .exclude(state=AlertState.RESOLVED)
        .values_list("pk", "client_id", "session_id")
    )
    wanted: dict[tuple[int, int], int] = {
        (client_id, session_id): pk for pk, client_id, session_id in open_alerts
    }
    if not wanted:
        return
    for each in changed:
        grouped: dict[int, dict[str, Any]] = defaultdict(dict)
        for signal in each.found:
            if signal.kind == "reliable_deterioration":
                session_id = each.sessions[signal.session - 1][0]
                if (each.client_id, session_id) in wanted:
                    grouped[session_id][evidence_key(signal)] = signal.evidence
        for session_id, evidence in grouped.items():
            Alert.objects.filter(pk=wanted[(each.client_id, session_id)]).update(evidence=evidence)


def _digests_update(changed: Sequence[Recomputed]) -> None:
    if len(changed) == 1:  # the incremental update: a plain UPDATE costs half a CASE
        Episode.objects.filter(pk=changed[0].episode_id).update(signals_digest=changed[0].digest)
    elif connection.vendor == "postgresql":
        # One UPDATE from a VALUES list: bulk_update's CASE of 500 branches costs seconds of
        # Django's expression building a night when everyone changes.
        quote = connection.ops.quote_name
        table = quote(Episode._meta.db_table)
        rows = ", ".join(["(%s, %s)"] * len(changed))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET signals_digest = v.digest FROM (VALUES {rows}) "  # noqa: S608
                f"AS v (id, digest) WHERE {table}.id = v.id",
                [value for each in changed for value in (each.episode_id, each.digest)],
            )
    else:
        Episode.objects.bulk_update(
            [Episode(pk=each.episode_id, signals_digest=each.digest) for each in changed],
            ["signals_digest"],
        )


_SIGNAL_COLUMNS = ("client", "session", "kind", "rule", "parameters", "evidence", "source")


def _signal_records_insert(changed: Sequence[Recomputed]) -> None:
    """Insert these clients' signals: by COPY on PostgreSQL when there are many (a night's first
    store is about nine signals a client, and bulk_create's arrays are built in Python, several
    times slower), else by bulk_create."""
    if connection.vendor != "postgresql" or len(changed) == 1:
        SignalRecord.objects.bulk_create(
            (
                SignalRecord(
                    client_id=each.client_id,
                    session_id=each.sessions[signal.session - 1][0],
                    kind=signal.kind,
                    rule=signal.rule,
                    parameters=signal.parameters,
                    evidence=signal.evidence,
                    source=signal.source,
                )
                for each in changed
                for signal in each.found
            ),
            batch_size=2000,
        )
        return
    meta = SignalRecord._meta
    quote = connection.ops.quote_name
    column = {field.name: field.column or "" for field in meta.concrete_fields}
    columns = [quote(column[name]) for name in (*_SIGNAL_COLUMNS, "computed_at")]
    sql = f"COPY {quote(meta.db_table)} ({', '.join(columns)}) FROM STDIN"
    now = timezone.now()
    # One rule's parameters are one dict, shared by its signals: encoded once.
    encoded: dict[int, str] = {}
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.connection.cursor() as raw, raw.copy(sql) as copy:
        for each in changed:
            for signal in each.found:
                parameters = encoded.get(id(signal.parameters))
                if parameters is None:
                    parameters = encoded[id(signal.parameters)] = json.dumps(signal.parameters)
                copy.write_row(
                    (
                        each.client_id,
                        each.sessions[signal.session - 1][0],
                        signal.kind,
                        signal.rule,
                        parameters,
                        json.dumps(signal.evidence),
                        signal.source,
                        now,
                    )
                )
    if connection.queries_logged:  # as Django logs what goes through its own cursor
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


Grouped = dict[tuple[str, int], list[Signal]]
# An existing alert: pk, kind, session id, state, the session an unrepaired rupture's window
# closed at (0 for other kinds), the time of its last state change.
AlertRow = tuple[int, str, int, str, int, datetime]


def _alert_candidates(recomputed: Recomputed, today: date) -> tuple[Grouped, dict[int, Signal]]:
    """The recent signals that may raise alerts, by kind and session, and the repairs by the
    rupture session they repair."""
    sessions = recomputed.sessions
    grouped: Grouped = defaultdict(list)
    repairs: dict[int, Signal] = {}
    for signal in recomputed.found:
        session_id, day = sessions[signal.session - 1]
        if signal.kind in ALERT_KINDS and today - day <= ALERT_LOOKBACK:
            grouped[(signal.kind, session_id)].append(signal)
        elif signal.kind == "repair":
            rupture_session = signal.evidence.get("rupture_session")
            if isinstance(rupture_session, int):
                repairs.setdefault(sessions[rupture_session - 1][0], signal)
    return grouped, repairs


def _alert_rows(client_ids: Sequence[int]) -> dict[int, list[AlertRow]]:
    """The signal-raised alerts of these clients, in one query."""
    rows: dict[int, list[AlertRow]] = defaultdict(list)
    if not client_ids:
        return rows
    # Subqueries, not a join and GROUP BY: grouping would take in the alerts' JSON columns.
    last_change = AlertEvent.objects.filter(alert=OuterRef("pk")).order_by("-at").values("at")[:1]
    window_closed = KT(f"evidence__{NO_REPAIR_IN_WINDOW}__window_closed_at")
    for client_id, pk, kind, session_id, state, closed_at, changed_at in (
        Alert.objects.filter(client_id__in=client_ids, session__isnull=False)
        .annotate(last_change=Subquery(last_change), window_closed=window_closed)
        .values_list(
            "client_id", "pk", "kind", "session_id", "state", "window_closed", "last_change"
        )
    ):
        closed = int(closed_at) if closed_at is not None else 0
        rows[client_id].append((pk, kind, session_id, state, closed, changed_at))
    return rows


def _alerts_sync(
    recomputed: Recomputed,
    grouped: Grouped,
    repairs: dict[int, Signal],
    rows: Sequence[AlertRow],
    zone: ZoneInfo,
) -> tuple[list[tuple[Alert, str]], list[tuple[int, str]]]:
    """The alerts to raise for recent signals that have none yet (each with the note that
    closes it at once, or ""), and the open rupture alerts the engine now sees repaired (pk and
    note). Writes nothing: ``_alerts_write`` writes for many clients at once."""
    day_of = dict(recomputed.sessions)
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
        (closed for _, kind, _, _, closed, _ in rows if kind == AlertKind.UNREPAIRED_RUPTURE),
        default=0,
    )
    raised: list[tuple[Alert, str]] = []
    for (kind, session_id), signals in sorted(grouped.items(), key=lambda item: item[0][1]):
        if (kind, session_id) in existing or day_of[session_id] <= covered_until.get(
            kind, date.min
        ):
            continue
        if kind == AlertKind.UNREPAIRED_RUPTURE and _rupture_session(signals) <= unrepaired_until:
            continue
        covered_until[kind] = date.max
        alert = Alert(
            client_id=recomputed.client_id,
            therapist_id=recomputed.therapist_id,
            kind=kind,
            session_id=session_id,
            rule=", ".join(dict.fromkeys(signal.rule for signal in signals)),
            evidence={evidence_key(signal): signal.evidence for signal in signals},
            parameters={evidence_key(signal): signal.parameters for signal in signals},
            source="; ".join(sorted({signal.source for signal in signals}))[:300],
        )
        # A rupture already repaired by the time it is first seen is raised and closed at once,
        # so its record still says what happened.
        repair = repairs.pop(session_id, None) if kind == AlertKind.RUPTURE else None
        raised.append((alert, _repaired_how(repair) if repair else ""))
    repaired = [
        (existing[(AlertKind.RUPTURE, session_id)][0], _repaired_how(repair))
        for session_id, repair in repairs.items()
        if existing.get((AlertKind.RUPTURE, session_id), (0, AlertState.RESOLVED))[1]
        != AlertState.RESOLVED
    ]
    return raised, repaired


def _repaired_how(repair: Signal) -> str:
    if repair.rule == "score_recovered":
        return "Repaired: the client's score came back."
    return "Repaired: the client said it was talked through well."


def _alerts_write(raised: Sequence[tuple[Alert, str]], repaired: Sequence[tuple[int, str]]) -> None:
    """Create the new alerts with their first events, and close the repaired ones: four queries
    at most, however many."""
    for alert, note in raised:
        if note:
            alert.state = AlertState.RESOLVED
    Alert.objects.bulk_create([alert for alert, _ in raised])  # sets their pks
    if repaired:
        Alert.objects.filter(pk__in=[pk for pk, _ in repaired]).update(state=AlertState.RESOLVED)
    events = [AlertEvent(alert=alert, state=AlertState.OPEN) for alert, _ in raised]
    events += [
        AlertEvent(alert=alert, state=AlertState.RESOLVED, note=note)
        for alert, note in raised
        if note
    ]
    events += [
        AlertEvent(alert_id=pk, state=AlertState.RESOLVED, note=note) for pk, note in repaired
    ]
    AlertEvent.objects.bulk_create(events)


def _rupture_session(signals: Sequence[Signal]) -> int:
    session = signals[0].evidence.get("rupture_session")
    return session if isinstance(session, int) else 0


def signals_recompute_client(*, client: Client, now: datetime) -> list[Signal]:
    """The incremental update: one client's latest episode, against the stored norms."""
    latest = latest_episode_series(client)
    if latest is None:
        return []
    settings, zone = engine_settings()
    norms = stored_norms()
    found = signals_for(series_from_rows(latest.sessions, latest.rows), settings, norms)
    signals_store(
        client_id=client.pk,
        episode_id=latest.episode_id,
        stored_digest=latest.signals_digest,
        therapist_id=latest.therapist_id,
        sessions=latest.sessions,
        found=found,
        now=now,
        zone=zone,
    )
    return found
