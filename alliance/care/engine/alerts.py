"""Which signals raise alerts and which repairs close them: worked out for many clients, then
written in a few queries."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KT

from alliance.care.engine.series import Recomputed
from alliance.care.models import (
    Alert,
    AlertEvent,
    AlertKind,
    AlertState,
)
from alliance.clinical.signals.model import Signal
from alliance.clinical.signals.references import NO_REPAIR_IN_WINDOW

# Signals that become alerts (repair is good news: a marker on the chart, not an alert).
ALERT_KINDS = frozenset(AlertKind.values) - {AlertKind.RISK}
# Only signals from recent sessions raise alerts: an old rupture, long since worked through, is
# history for the chart, not something to act on before the next session.
ALERT_LOOKBACK = timedelta(days=28)


def evidence_key(signal: Signal) -> str:
    """The key of one rule's figures in an alert: the rule, and the measure where one rule can
    fire for two (not on track on the PHQ-9 and the GAD-7 at one session)."""
    measure = signal.evidence.get("measure")
    return f"{signal.rule}:{measure}" if measure else signal.rule


Grouped = dict[tuple[str, int], list[Signal]]
# An existing alert: pk, kind, session id, state, the session an unrepaired rupture's window
# closed at (0 for other kinds), the time of its last state change.
AlertRow = tuple[int, str, int, str, int, datetime]


def alert_candidates(recomputed: Recomputed, today: date) -> tuple[Grouped, dict[int, Signal]]:
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


def alert_rows(client_ids: Sequence[int]) -> dict[int, list[AlertRow]]:
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


def alerts_sync(
    recomputed: Recomputed,
    grouped: Grouped,
    repairs: dict[int, Signal],
    rows: Sequence[AlertRow],
    zone: ZoneInfo,
) -> tuple[list[tuple[Alert, str]], list[tuple[int, str]]]:
    """The alerts to raise for recent signals that have none yet (each with the note that
    closes it at once, or ""), and the open rupture alerts the engine now sees repaired (pk and
    note). Writes nothing: ``alerts_write`` writes for many clients at once."""
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


def alerts_write(raised: Sequence[tuple[Alert, str]], repaired: Sequence[tuple[int, str]]) -> None:
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
