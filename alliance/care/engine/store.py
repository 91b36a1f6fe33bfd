"""Storing what the engine found: SignalRecord rows replaced whole per client, the alerts they
call for, and a digest of the decisions so that unchanged signals cost nothing."""

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from alliance.care.engine.alerts import (
    alert_candidates,
    alert_rows,
    alerts_sync,
    alerts_write,
    evidence_key,
)
from alliance.care.engine.series import Recomputed
from alliance.care.models import (
    Alert,
    AlertKind,
    AlertState,
    Episode,
    SignalRecord,
)
from alliance.clinical.signals.model import Signal


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
    an alert never calls for a new one from signals already there (see ``alerts_sync``)."""
    digest = signals_digest([session_id for session_id, _ in sessions], found)
    if digest != stored_digest:
        recomputed = Recomputed(client_id, episode_id, therapist_id, sessions, found, digest)
        signals_store_changed([recomputed], today=now.astimezone(zone).date(), zone=zone)


def signals_store_changed(changed: Sequence[Recomputed], *, today: date, zone: ZoneInfo) -> None:
    """Replace these clients' signals, raise or resolve their alerts and keep their digests, in
    one transaction (all or none: a failure leaves the old digest, so the next recompute does it
    again) and in about ten queries however many clients."""
    candidates = {each.client_id: alert_candidates(each, today) for each in changed}
    with transaction.atomic():
        SignalRecord.objects.filter(client_id__in=[each.client_id for each in changed]).delete()
        _signal_records_insert(changed)
        alerts = alert_rows(
            [id for id, (grouped, repairs) in candidates.items() if grouped or repairs]
        )
        raised: list[tuple[Alert, str]] = []
        repaired: list[tuple[int, str]] = []
        for each in changed:
            grouped, repairs = candidates[each.client_id]
            if grouped or repairs:
                new, closed = alerts_sync(
                    each, grouped, repairs, alerts.get(each.client_id, []), zone
                )
                raised += new
                repaired += closed
        alerts_write(raised, repaired)
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
