"""Acting on alerts: acknowledge, resolve with what was done, and escalation of risk."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

from alliance.accounts.models import User
from alliance.care.alerts import alerts_escalate
from alliance.care.models import Alert, AlertMessage, AlertMessageKind, AlertState, ResponseSource
from alliance.care.services import answers_score, response_record, session_on
from alliance.clients.models import Client
from alliance.outbox.sending import outbox_flush
from alliance.practice.models import Practice
from tests.care.history import phq9_answers, practice_today
from tests.conftest import Personas, signed_in
from tests.smtp import SmtpServer, message_parts

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("America/New_York")


def risk_alert(personas: Personas) -> Alert:
    client = Client.objects.create(name="Riley Risk", therapist=personas.tara)
    assert client.therapist is not None
    session = session_on(client=client, therapist=client.therapist, day=practice_today())
    response_record(
        session=session,
        scored=answers_score("phq9", phq9_answers(5, item9=1)),
        completed_at=timezone.now(),
        source=ResponseSource.API,
    )
    return Alert.objects.get(kind="risk")


def post(user: User, alert: Alert, **data: str) -> None:
    signed_in(user).post(f"/staff/alerts/{alert.uuid}/", data)


def test_the_therapist_acknowledges_then_resolves_recording_what_they_did(
    personas: Personas,
) -> None:
    alert = risk_alert(personas)
    post(personas.therapist, alert, to="acknowledged")
    post(personas.therapist, alert, to="resolved", action="safety_plan", note="Plan agreed.")
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
    history = [(e.state, e.action, e.note, e.by) for e in alert.events.all()]
    assert history == [
        ("open", "", "", None),
        ("acknowledged", "", "", personas.therapist),
        ("resolved", "safety_plan", "Plan agreed.", personas.therapist),
    ]


def test_resolving_needs_what_was_done_and_other_needs_a_note(personas: Personas) -> None:
    alert = risk_alert(personas)
    post(personas.therapist, alert, to="resolved")
    post(personas.therapist, alert, to="resolved", action="other")
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN
    assert alert.events.count() == 1


def test_a_colleague_cannot_touch_the_alert_and_the_front_desk_is_refused(
    personas: Personas,
) -> None:
    alert = risk_alert(personas)
    refused = signed_in(personas.colleague).post(
        f"/staff/alerts/{alert.uuid}/", {"to": "acknowledged"}
    )
    assert refused.status_code == 404
    desk = signed_in(personas.frontdesk).post(
        f"/staff/alerts/{alert.uuid}/", {"to": "acknowledged"}
    )
    assert desk.status_code == 403
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_the_designated_clinician_sees_every_risk_alert_and_only_those(
    personas: Personas, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    alert = risk_alert(personas)
    rupture = Alert.objects.create(kind="rupture", client=alert.client, therapist=personas.tara)
    assert list(Alert.objects.visible_to(personas.colleague)) == []
    Practice.objects.filter(pk=1).update(designated_clinician=personas.colleague)

    with django_assert_num_queries(1):
        visible = list(Alert.objects.visible_to(personas.colleague))

    assert visible == [alert]
    assert rupture not in visible
    post(personas.colleague, alert, to="acknowledged")
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED


def test_an_unacknowledged_risk_alert_goes_to_the_owners_after_four_working_hours(
    personas: Personas, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    Practice.objects.filter(pk=1).update(time_zone="America/New_York")
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=ZONE)
    with time_machine.travel(friday_4pm, tick=False):
        alert = risk_alert(personas)
    # One working hour on Friday, three on Monday: due Monday 12:00.
    assert alerts_escalate(now=datetime(2026, 11, 30, 11, 59, tzinfo=ZONE)) == 0
    assert alerts_escalate(now=datetime(2026, 11, 30, 12, 1, tzinfo=ZONE)) == 1
    assert alerts_escalate(now=datetime(2026, 11, 30, 13, 0, tzinfo=ZONE)) == 0
    escalations = AlertMessage.objects.filter(alert=alert, kind=AlertMessageKind.ALERT_ESCALATION)
    assert [m.recipient for m in escalations] == [personas.owner]
    outbox_flush(now=datetime(2026, 11, 30, 12, 2, tzinfo=ZONE))
    told = [m for m in smtp_server.messages if m["Subject"].startswith("Not yet acknowledged")]
    assert [m["To"] for m in told] == ["olivia@example.com"]
    assert "Riley" not in message_parts(told[0])["text/plain"]


def test_an_acknowledged_risk_alert_is_not_escalated(personas: Personas) -> None:
    alert = risk_alert(personas)
    post(personas.therapist, alert, to="acknowledged")
    assert alerts_escalate(now=timezone.now() + timedelta(days=7)) == 0
