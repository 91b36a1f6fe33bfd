"""The nightly recompute (`manage.py signals_recompute`): every client's latest episode, read
in chunks, against norms that change only when they should.

One pass reads the practice chunk by chunk, adds every episode to the candidate norms and, unless
a refit is already due, runs the engine against the current norms to see whose decisions
changed. The candidate becomes a new version of the norms only on schedule (NORMS_REFIT_PERIOD)
or when it moved by more than the tolerance (alliance.clinical.signals.refit); then a second pass
recomputes everyone against it. Otherwise a second pass rereads only the chunks where a client's
decisions changed. Either way only those clients are written: a night with nothing new writes
nothing at all.
"""

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from alliance.care.engine.norms import (
    engine_settings_read,
    norms_current,
    norms_to_json,
    stored_norms_forget,
)
from alliance.care.engine.series import Recomputed
from alliance.care.engine.store import signals_digest, signals_store_changed
from alliance.care.models import Episode, PracticeNormsRecord, Response, TherapySession
from alliance.clinical.signals.engine import signals_for
from alliance.clinical.signals.model import Episode as SeriesEpisode
from alliance.clinical.signals.model import SessionPoint, Signal
from alliance.clinical.signals.norms import NormsAccumulator, PracticeNorms
from alliance.clinical.signals.parameters import SignalSettings
from alliance.clinical.signals.refit import norms_moved, refit_due

logger = logging.getLogger(__name__)

# The norms are refitted at least this often (the practice grows; a month of new episodes is
# worth taking in) and otherwise only when they move: see docs/signals.md, "Stable norms and the
# nightly recompute". A module constant, not a practice setting: no practice has asked to tune it.
NORMS_REFIT_PERIOD = timedelta(days=30)
# Clients read per query: a chunk's rows (about 20 sessions each) stay a few MB in memory.
READ_CHUNK = 2000
# Clients stored per transaction: few enough that one transaction stays short, many enough that
# the queries per client are a small fraction of one.
STORE_CHUNK = 500

# Each client's latest episode among those of a range of clients.
_LATEST = """
WITH latest AS (
    SELECT id, client_id, therapist_id, signals_digest FROM (
        SELECT id, client_id, therapist_id, signals_digest, ROW_NUMBER() OVER (
            PARTITION BY client_id ORDER BY started_on DESC, id DESC
        ) AS place
        FROM {episode} WHERE client_id BETWEEN %s AND %s
    ) ranked WHERE place = 1
)
"""
_EPISODES = "SELECT id, client_id, therapist_id, signals_digest FROM latest ORDER BY client_id"
# One row per session: the responses the engine reads, pivoted (one response per instrument and
# session: the one_response_a_session constraint), in the order the sessions are numbered.
_SESSIONS = """
SELECT s.episode_id, s.id, s.date,
    MAX(CASE WHEN r.instrument = 'alliance_client' THEN r.total END),
    MAX(CASE WHEN r.instrument = 'alliance_client' THEN r.tension END),
    MAX(CASE WHEN r.instrument = 'alliance_client' THEN r.repair END),
    MAX(CASE WHEN r.instrument = 'alliance_therapist' THEN r.total END),
    MAX(CASE WHEN r.instrument = 'alliance_therapist' THEN r.tension END),
    MAX(CASE WHEN r.instrument = 'phq9' THEN r.total END),
    MAX(CASE WHEN r.instrument = 'phq9' THEN r.item9 END),
    MAX(CASE WHEN r.instrument = 'gad7' THEN r.total END),
    MAX(CASE WHEN r.instrument = 'rses' THEN r.total END)
FROM {session} s JOIN latest ON latest.id = s.episode_id
LEFT JOIN {response} r ON r.session_id = s.id
GROUP BY s.id, s.episode_id, s.date
ORDER BY s.episode_id, s.date, s.id
"""


def _sql(template: str) -> str:
    quote = connection.ops.quote_name
    return template.format(
        episode=quote(Episode._meta.db_table),
        session=quote(TherapySession._meta.db_table),
        response=quote(Response._meta.db_table),
    )


@dataclass(frozen=True, slots=True)
class LatestSeries:
    """A client's latest episode as the engine reads it, with what storing its signals needs."""

    client_id: int
    episode_id: int
    therapist_id: int
    stored_digest: str
    sessions: list[tuple[int, date]]
    series: list[SessionPoint]


ClientRange = tuple[int, int]


def client_ranges() -> list[ClientRange]:
    """The clients with an episode, as ranges of ids of READ_CHUNK clients each."""
    ids = list(Episode.objects.order_by("client_id").values_list("client_id", flat=True).distinct())
    return [
        (ids[start], ids[min(start + READ_CHUNK, len(ids)) - 1])
        for start in range(0, len(ids), READ_CHUNK)
    ]


def latest_series_read(first: int, last: int) -> list[LatestSeries]:
    """The latest episode of each client with an id from first to last, in two queries."""
    # The statements are constants with quoted table names; the ids go in as parameters.
    latest = _sql(_LATEST + _EPISODES)
    with connection.cursor() as cursor:
        cursor.execute(latest, [first, last])
        episodes = cursor.fetchall()
        cursor.execute(_sql(_LATEST + _SESSIONS), [first, last])
        rows = cursor.fetchall()
    sessions: dict[int, list[tuple[int, date]]] = {episode_id: [] for episode_id, *_ in episodes}
    series: dict[int, list[SessionPoint]] = {episode_id: [] for episode_id, *_ in episodes}
    for episode_id, session_id, day, *scores in rows:
        if isinstance(day, str):  # SQLite gives an aggregate query's dates as text
            day = date.fromisoformat(day)
        held = sessions[episode_id]
        held.append((session_id, day))
        client_total, client_tension, repair, therapist_total, therapist_tension = scores[:5]
        phq9, item9, gad7, rses = scores[5:]
        series[episode_id].append(
            SessionPoint(
                len(held),
                day,
                client_alliance=client_total,
                client_tension=client_tension,
                client_repair=repair,
                therapist_alliance=therapist_total,
                therapist_tension=therapist_tension,
                phq9=phq9,
                phq9_item9=item9,
                gad7=gad7,
                rses=rses,
            )
        )
    return [
        LatestSeries(
            client_id, episode_id, therapist_id, digest, sessions[episode_id], series[episode_id]
        )
        for episode_id, client_id, therapist_id, digest in episodes
    ]


def _found(latest: LatestSeries, settings: SignalSettings, norms: PracticeNorms) -> list[Signal]:
    return signals_for(latest.series, settings, norms)


def _digest(latest: LatestSeries, found: Sequence[Signal]) -> str:
    return signals_digest([session_id for session_id, _ in latest.sessions], found)


def signals_recompute_all(*, now: datetime) -> tuple[int, int]:
    """Refit the norms if due or moved, then store every client whose decisions changed.
    Returns (episodes, signals found)."""
    with _planned_for_the_night():
        return _recompute_all(now)


@contextmanager
def _planned_for_the_night() -> Iterator[None]:
    """On PostgreSQL, no JIT and no sequential scans for the run. Every statement here finds its
    rows by client, episode or pk, but a night's inserts outrun the tables' statistics (on a
    first run they say "empty"): the planner then scans all the signals to delete one chunk's,
    and JIT-compiles the alerts' query for 0.4 s where it needs milliseconds."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('jit'), current_setting('enable_seqscan'), "
            "set_config('jit', 'off', false), set_config('enable_seqscan', 'off', false)"
        )
        jit, seqscan, *_ = cursor.fetchone()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('jit', %s, false), set_config('enable_seqscan', %s, false)",
                [jit, seqscan],
            )


def _recompute_all(now: datetime) -> tuple[int, int]:
    settings, zone = engine_settings_read()  # afresh: a nightly run sees today's settings
    current, fitted_at = norms_current()
    due = refit_due(fitted_at, now=now, period=NORMS_REFIT_PERIOD)
    ranges = client_ranges()
    # Added in client order, always the same: the norms are sums of floats.
    accumulator = NormsAccumulator()
    changed_in: list[ClientRange] = []
    episodes = total = 0
    for first, last in ranges:
        stale = False
        for latest in latest_series_read(first, last):
            episodes += 1
            accumulator.add(SeriesEpisode(latest.therapist_id, latest.series))
            if due is None:  # else every client is recomputed against the refit anyway
                found = _found(latest, settings, current)
                total += len(found)
                stale = stale or _digest(latest, found) != latest.stored_digest
        if stale:
            changed_in.append((first, last))
    candidate = accumulator.finish(settings)
    reason = due or norms_moved(current, candidate, settings)
    if reason is not None:
        norms = _norms_adopt(candidate, current.version + 1, now, episodes, reason)
        total = _store_changed(ranges, settings, norms, zone, now)
    elif changed_in:
        _store_changed(changed_in, settings, current, zone, now)
    logger.info(
        "signals recomputed for %d episodes: %d signals; norms version %d (%s)",
        episodes,
        total,
        current.version + (reason is not None),
        reason or "kept",
    )
    return episodes, total


def _norms_adopt(
    candidate: PracticeNorms, version: int, now: datetime, episodes: int, reason: str
) -> PracticeNorms:
    PracticeNormsRecord.objects.create(
        version=version,
        norms=norms_to_json(candidate),
        fitted_at=now,
        episodes=episodes,
        reason=reason[:200],
    )
    stored_norms_forget()
    logger.info("practice norms version %d adopted: %s", version, reason)
    return replace(candidate, version=version)


def _store_changed(
    ranges: Sequence[ClientRange],
    settings: SignalSettings,
    norms: PracticeNorms,
    zone: ZoneInfo,
    now: datetime,
) -> int:
    """Recompute the clients of these ranges against the norms and store those whose decisions
    changed, STORE_CHUNK clients a transaction. Returns the signals found."""
    today = now.astimezone(zone).date()
    total = 0
    changed: list[Recomputed] = []
    for first, last in ranges:
        for latest in latest_series_read(first, last):
            found = _found(latest, settings, norms)
            total += len(found)
            digest = _digest(latest, found)
            if digest != latest.stored_digest:
                changed.append(
                    Recomputed(
                        latest.client_id,
                        latest.episode_id,
                        latest.therapist_id,
                        latest.sessions,
                        found,
                        digest,
                    )
                )
            if len(changed) == STORE_CHUNK:
                signals_store_changed(changed, today=today, zone=zone)
                changed = []
    if changed:
        signals_store_changed(changed, today=today, zone=zone)
    return total
