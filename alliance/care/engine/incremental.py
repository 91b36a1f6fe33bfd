"""The incremental update: a response arrives, its client's signals are found again."""

from datetime import datetime

from alliance.care.engine.norms import engine_settings, stored_norms
from alliance.care.engine.series import latest_episode_series, series_from_rows
from alliance.care.engine.store import signals_store
from alliance.clients.models import Client
from alliance.clinical.signals.engine import signals_for
from alliance.clinical.signals.model import Signal


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
