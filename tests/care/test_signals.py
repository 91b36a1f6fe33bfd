"""The engine in the practice: signals stored, alerts raised once, repairs closing them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from alliance.care.alerts import alert_move
from alliance.care.engine import nightly as recompute_module
from alliance.care.engine.incremental import signals_recompute_client
from alliance.care.engine.nightly import signals_recompute_all
from alliance.care.models import (
    Alert,
    AlertEvent,
    AlertState,
    Episode,
    PracticeNormsRecord,
    SignalRecord,
)
from alliance.care.services import session_on
from alliance.clients.models import Client
from tests.care.history import practice_today, session_with, weekly
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def client_of(personas: Personas) -> Client:
    return Client.objects.create(name="Robin Rupture", therapist=personas.tara)


def test_a_drop_with_tension_raises_one_rupture_alert_with_its_rules(personas: Personas) -> None:
    client = client_of(personas)
    days = weekly(practice_today(), 3)
    session_with(client, days[0], alliance=30)
    session_with(client, days[1], alliance=30)
    rupture_session = session_with(client, days[2], alliance=22, tension=2)
    now = timezone.now()
    signals_recompute_client(client=client, now=now)
    signals_recompute_client(client=client, now=now)
    (alert,) = Alert.objects.filter(kind="rupture")
    assert alert.session == rupture_session
    assert "percent_drop" in alert.rule
    assert "client_report" in alert.rule
    assert alert.evidence["percent_drop"]["previous"] == 30
    assert AlertEvent.objects.filter(alert=alert, state=AlertState.OPEN).count() == 1
    assert SignalRecord.objects.filter(client=client, kind="rupture").count() >= 2


def test_a_repair_closes_the_rupture_alert_and_says_how(personas: Personas) -> None:
    client = client_of(personas)
    days = weekly(practice_today(), 4)
    session_with(client, days[0], alliance=30)
    session_with(client, days[1], alliance=30)
    session_with(client, days[2], alliance=22, tension=2)
    signals_recompute_client(client=client, now=timezone.now())
    session_with(client, days[3], alliance=31)
    signals_recompute_client(client=client, now=timezone.now())
    alert = Alert.objects.get(kind="rupture")
    assert alert.state == AlertState.RESOLVED
    assert alert.events.last().note == "Repaired: the client's score came back."  # type: ignore[union-attr]
    assert SignalRecord.objects.filter(client=client, kind="repair").exists()


def test_signals_from_long_ago_are_history_not_alerts(personas: Personas) -> None:
    client = client_of(personas)
    days = weekly(practice_today() - timedelta(days=120), 3)
    session_with(client, days[0], alliance=30)
    session_with(client, days[1], alliance=30)
    session_with(client, days[2], alliance=20, tension=2)
    signals_recompute_client(client=client, now=timezone.now())
    assert SignalRecord.objects.filter(client=client, kind="rupture").exists()
    assert not Alert.objects.exists()


def test_a_steady_series_raises_nothing(personas: Personas) -> None:
    client = client_of(personas)
    for day, score in zip(weekly(practice_today(), 6), (28, 29, 28, 29, 29, 28), strict=True):
        session_with(client, day, alliance=score, therapist_alliance=score - 3, phq9=8)
    assert signals_recompute_client(client=client, now=timezone.now()) == []
    assert not Alert.objects.exists()


def test_the_full_recompute_fits_and_stores_the_practices_norms(personas: Personas) -> None:
    client = client_of(personas)
    days = weekly(practice_today(), 3)
    for day, score in zip(days, (30, 30, 22), strict=True):
        session_with(client, day, alliance=score, tension=2 if score == 22 else 0)
    out = StringIO()
    call_command("signals_recompute", stdout=out)
    assert out.getvalue().startswith("1 episodes, ")
    record = PracticeNormsRecord.objects.get()
    assert record.episodes == 1
    assert record.norms["curves"]["phq9"]["kind"] == "default"
    assert Alert.objects.filter(kind="rupture").count() == 1


def test_a_session_without_answers_still_counts_in_the_numbers(personas: Personas) -> None:
    client = client_of(personas)
    days = weekly(practice_today(), 3)
    session_with(client, days[0], alliance=30)
    assert client.therapist is not None
    session_on(client=client, therapist=client.therapist, day=days[1])  # nobody answered
    session_with(client, days[2], alliance=22, tension=2)
    found = signals_recompute_client(client=client, now=timezone.now())
    drop = next(signal for signal in found if signal.rule == "percent_drop")
    assert drop.session == 3
    assert drop.evidence["previous_session"] == 1


def test_a_resolved_unrepaired_rupture_is_not_raised_again_for_a_further_fall(
    personas: Personas,
) -> None:
    # 30, a fall to 24 with tension, then 20 with tension again: one rupture the client never
    # comes back from. Its unrepaired alert, once resolved, stays resolved as the sessions go on.
    client = client_of(personas)
    days = weekly(practice_today(), 8)
    for day, score, tension in zip(
        days[:6], (30, 30, 24, 20, 24, 23), (0, 0, 2, 2, 0, 0), strict=True
    ):
        session_with(client, day, alliance=score, tension=tension)
    signals_recompute_client(client=client, now=timezone.now())
    alert = Alert.objects.get(kind="unrepaired_rupture")
    assert alert.evidence["no_repair_in_window"]["rupture_session"] == 3
    alert_move(alert=alert, to=AlertState.RESOLVED, by=personas.therapist, action="talked_through")

    session_with(client, days[6], alliance=24)  # the second fall's window closes here
    signals_recompute_client(client=client, now=timezone.now())

    assert SignalRecord.objects.filter(client=client, kind="unrepaired_rupture").count() == 2
    assert list(Alert.objects.filter(kind="unrepaired_rupture")) == [alert]


def test_a_resolved_alert_covers_its_kind_until_the_day_it_was_resolved(
    personas: Personas,
) -> None:
    # Tension reported at two sessions running: one rupture alert, which the therapist resolves.
    client = client_of(personas)
    days = weekly(practice_today(), 4)
    for day, score, tension in zip(days, (30, 30, 22, 21), (0, 0, 2, 2), strict=True):
        session_with(client, day, alliance=score, tension=tension)
    signals_recompute_client(client=client, now=timezone.now())
    alert = Alert.objects.get(kind="rupture")
    assert alert.session.date == days[2]  # type: ignore[union-attr]
    alert_move(alert=alert, to=AlertState.RESOLVED, by=personas.therapist, action="talked_through")

    # Recomputed: the second report, from before she resolved it, is not raised on its own.
    signals_recompute_client(client=client, now=timezone.now())
    assert list(Alert.objects.filter(kind="rupture")) == [alert]

    # Tension again at a session after that day is a new alert.
    later = session_with(client, days[-1] + timedelta(days=7), alliance=20, tension=2)
    signals_recompute_client(client=client, now=timezone.now() + timedelta(days=7))
    assert Alert.objects.filter(kind="rupture").count() == 2
    assert Alert.objects.filter(kind="rupture", session=later, state=AlertState.OPEN).exists()


def test_a_recompute_that_finds_the_same_signals_reads_the_episode_and_writes_nothing(
    personas: Personas, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = client_of(personas)
    days = weekly(practice_today(), 4)
    for day, score, tension in zip(days, (30, 30, 22, 29), (0, 0, 2, 0), strict=True):
        session_with(client, day, alliance=score, tension=tension)
    first = signals_recompute_client(client=client, now=timezone.now())
    assert first
    stored = list(SignalRecord.objects.filter(client=client).values_list("pk", flat=True))

    # The episode's sessions and responses: nothing else (norms and settings are kept a minute).
    with django_assert_num_queries(1):
        again = signals_recompute_client(client=client, now=timezone.now())

    assert again == first
    assert list(SignalRecord.objects.filter(client=client).values_list("pk", flat=True)) == stored
    # A new answer that changes the signals is stored.
    later = session_with(client, days[-1] + timedelta(days=7), alliance=20, tension=2)
    signals_recompute_client(client=client, now=timezone.now())
    assert SignalRecord.objects.filter(client=client, session=later, kind="rupture").exists()


def recorded(queries: CaptureQueriesContext, verb: str, table: str) -> int:
    # Many signals go in by COPY on PostgreSQL: that is their INSERT.
    verbs = (
        (f'{verb} "{table}"', f'COPY "{table}"')
        if verb == "INSERT INTO"
        else (f'{verb} "{table}"',)
    )
    return sum(1 for query in queries.captured_queries if query["sql"].startswith(verbs))


def test_the_full_recompute_writes_in_a_number_of_queries_that_does_not_grow_with_clients(
    personas: Personas,
) -> None:
    days = weekly(practice_today(), 3)
    for number in range(8):
        client = Client.objects.create(name=f"Client {number}", therapist=personas.tara)
        for day, score in zip(days, (30, 30, 22), strict=True):
            session_with(client, day, alliance=score, tension=2 if score == 22 else 0)

    with CaptureQueriesContext(connection) as first:
        signals_recompute_all(now=timezone.now())

    assert Alert.objects.filter(kind="rupture").count() == 8
    assert SignalRecord.objects.values("client").distinct().count() == 8
    assert recorded(first, "INSERT INTO", "care_signalrecord") == 1
    assert recorded(first, "INSERT INTO", "care_alert") == 1
    # A fixed number; client by client it was over 40. The first fit reads everything twice:
    # once to fit the norms, once to find the signals against them. (PostgreSQL also sets two
    # planner settings for the run and puts them back.)
    planner = [query for query in first.captured_queries if "set_config(" in query["sql"]]
    assert len(first.captured_queries) - len(planner) == 16


def test_the_full_recompute_stores_in_chunks(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recompute_module, "STORE_CHUNK", 2)
    days = weekly(practice_today(), 3)
    for number in range(5):
        client = Client.objects.create(name=f"Client {number}", therapist=personas.tara)
        for day, score in zip(days, (30, 30, 22), strict=True):
            session_with(client, day, alliance=score, tension=2 if score == 22 else 0)

    with CaptureQueriesContext(connection) as queries:
        signals_recompute_all(now=timezone.now())

    assert recorded(queries, "INSERT INTO", "care_signalrecord") == 3  # 2 + 2 + 1 clients
    assert Alert.objects.filter(kind="rupture").count() == 5


def test_a_rupture_already_repaired_when_first_seen_is_raised_and_closed_with_its_record(
    personas: Personas,
) -> None:
    client = client_of(personas)
    for day, score, tension in zip(
        weekly(practice_today(), 4), (30, 30, 22, 31), (0, 0, 2, 0), strict=True
    ):
        session_with(client, day, alliance=score, tension=tension)

    signals_recompute_all(now=timezone.now())

    alert = Alert.objects.get(kind="rupture")
    assert alert.state == AlertState.RESOLVED
    assert [(event.state, event.note) for event in alert.events.all()] == [
        (AlertState.OPEN, ""),
        (AlertState.RESOLVED, "Repaired: the client's score came back."),
    ]


def test_the_full_recompute_reads_only_each_clients_latest_episode(personas: Personas) -> None:
    # A rupture in an episode that ended last year; the client came back and is steady.
    client = client_of(personas)
    for day, score, tension in zip(
        weekly(practice_today() - timedelta(days=365), 3), (30, 30, 20), (0, 0, 2), strict=True
    ):
        session_with(client, day, alliance=score, tension=tension)
    Episode.objects.filter(client=client).update(ended_on=practice_today() - timedelta(days=300))
    for day in weekly(practice_today(), 3):
        session_with(client, day, alliance=29)

    episodes, _ = signals_recompute_all(now=timezone.now())

    assert episodes == 1
    latest = Episode.objects.get(client=client, ended_on__isnull=True)
    assert not SignalRecord.objects.filter(kind="rupture").exists()
    assert latest.signals_digest
