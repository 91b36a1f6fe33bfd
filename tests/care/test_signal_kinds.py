"""The two kinds that need no change to fire, in the practice: a relationship low throughout,
and a client in the clinical range who is not getting better."""

import pytest
from django.utils import timezone

from alliance.care.engine.incremental import signals_recompute_client
from alliance.care.models import Alert, AlertKind
from alliance.care.why import alert_why
from alliance.clients.models import Client
from tests.care.history import practice_today, session_with, weekly
from tests.conftest import Personas, signed_in

pytestmark = pytest.mark.django_db


def test_a_client_who_rates_every_session_7_of_35_is_noticed(personas: Personas) -> None:
    client = Client.objects.create(name="Lee Low", therapist=personas.tara)
    for day in weekly(practice_today(), 3):
        session_with(client, day, alliance=7, therapist_alliance=26)
    signals_recompute_client(client=client, now=timezone.now())
    [alert] = Alert.objects.filter(client=client, kind=AlertKind.LOW_ALLIANCE)
    why = alert_why(alert)
    assert why.reasons == [
        "The client's check-in total was 7 of 35 at their first check-in: on average their "
        'answers were "A little" or less (the level is 17 or below).'
    ]
    assert "predicts dropping out" in why.guidance
    assert "Sharf" in why.reference
    html = signed_in(personas.therapist).get(f"/staff/clients/{client.uuid}/").content.decode()
    assert "The client rates the relationship low" in html


def test_a_client_whose_phq9_has_not_moved_by_session_8_is_flagged(personas: Personas) -> None:
    client = Client.objects.create(name="Sam Still", therapist=personas.tara)
    for day, phq9 in zip(
        weekly(practice_today(), 8), (12, 12, 13, 11, 12, 12, 13, 12), strict=True
    ):
        session_with(client, day, alliance=30, therapist_alliance=27, phq9=phq9)
    signals_recompute_client(client=client, now=timezone.now())
    [alert] = Alert.objects.filter(client=client, kind=AlertKind.NO_IMPROVEMENT)
    assert alert_why(alert).reasons == [
        "At session 8: PHQ-9 12 (12 at intake). The client started in the clinical range and "
        "has not improved reliably by session 8 (a fall of 6 points on PHQ-9 or 4 on GAD-7)."
    ]
    # The default curve's bound is far above 12 by session 8: not on track alone would be silent.
    assert not Alert.objects.filter(client=client, kind=AlertKind.NOT_ON_TRACK).exists()


def test_a_fall_that_lasts_two_sessions_is_explained_as_one(personas: Personas) -> None:
    client = Client.objects.create(name="Hal Held", therapist=personas.tara)
    # Changes of 3 or 4 points are usual for this client, so 30 to 24 is within one session's
    # ordinary swing; held at the next session, it is a rupture.
    days = weekly(practice_today(), 7)
    for day, score in zip(days, (30, 33, 29, 32, 30, 24, 24), strict=True):
        session_with(client, day, alliance=score, therapist_alliance=26)
    signals_recompute_client(client=client, now=timezone.now())
    [alert] = Alert.objects.filter(client=client, kind=AlertKind.RUPTURE)
    assert alert.session is not None
    assert alert.session.date == days[6]
    assert alert_why(alert).reasons == [
        "The client's alliance score fell from their level of 30 to 24 at session 6 and stayed "
        "down (24 of 35 now): a fall of 15% or more held over two sessions."
    ]


def test_a_deterioration_alert_says_when_the_score_came_back(personas: Personas) -> None:
    client = Client.objects.create(name="Ray Rise", therapist=personas.tara)
    days = weekly(practice_today(), 4)
    for day, phq9 in zip(days[:2], (8, 15), strict=True):
        session_with(client, day, alliance=30, therapist_alliance=27, phq9=phq9)
    signals_recompute_client(client=client, now=timezone.now())
    [alert] = Alert.objects.filter(client=client, kind=AlertKind.RELIABLE_DETERIORATION)
    rose = "PHQ-9 rose from 8 at intake to 15 at session 2 (+7), a reliable deterioration."
    assert alert_why(alert).reasons == [rose]
    for day in days[2:]:
        session_with(client, day, alliance=30, therapist_alliance=27, phq9=9)
    signals_recompute_client(client=client, now=timezone.now())
    alert.refresh_from_db()
    assert alert_why(alert).reasons == [f"{rose} It has since come back to 9 (from session 3)."]
