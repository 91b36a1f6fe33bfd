"""A PHQ-9 risk answer is never lost through the API: however item 9 arrives, and
whatever else is wrong with the record, a clinician hears of it, sees what was sent, and the
corrected record joins the same alert."""

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone
from pytest_django.fixtures import Settings

from alliance.care.data_rights import client_erase, client_export
from alliance.care.models import (
    Alert,
    AlertEvent,
    AlertMessage,
    AlertMessageKind,
    RefusedResponse,
    Response,
    TherapySession,
)
from alliance.clients.models import Client as CareClient
from alliance.outbox.sending import outbox_flush
from tests.api.helpers import locations
from tests.api.test_clinical import Caller, phq9
from tests.care.fixtures import session_booked
from tests.conftest import Personas, signed_in
from tests.smtp import SmtpServer, message_parts

pytestmark = pytest.mark.django_db

SESSION = "2026-09-01"
ITEM9 = ["body", "payload", "answers", "phq9_9"]


def post_phq9(caller: Caller, client_id: str, answers: dict[str, Any], **headers: str) -> Any:
    return caller.post(
        f"/clients/{client_id}/responses",
        {"instrument": "phq9", "answers": answers, "session_date": SESSION},
        **headers,
    )


def with_item9(value: object) -> dict[str, Any]:
    return {**phq9(1, 1, 1, 1, 1, 1, 1, 1, 0), "phq9_9": value}


def told(alert: Alert) -> set[str]:
    return set(
        AlertMessage.objects.filter(alert=alert, kind=AlertMessageKind.RISK_ALERT).values_list(
            "recipient__email", flat=True
        )
    )


@pytest.mark.parametrize(("sent", "value"), [("1", 1), ("3", 3), (" 2 ", 2), (1.0, 1), (3.0, 3)])
def test_item_9_as_text_or_a_whole_float_is_read_as_the_number_and_alerts(
    personas: Personas, sent: object, value: int
) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    created = post_phq9(tara, client_id, with_item9(sent))
    assert created.status_code == 201, created.content
    assert created.json()["flags"] == ["risk"]
    response = Response.objects.get()
    assert response.answers["phq9_9"] == value
    assert response.item9 == value
    alert = Alert.objects.get()
    assert (alert.rule, alert.response, alert.session) == ("phq9_item9", response, response.session)
    assert told(alert) == {"tara@example.com", "olivia@example.com"}


def test_every_item_is_read_the_same_way(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    answers = {**phq9(2, 2, 2, 2, 2, 1, 1, 1, 0), "phq9_1": "2", "phq9_2": 2.0, "phq9_3": " 2"}
    created = post_phq9(tara, client_id, answers)
    assert created.status_code == 201, created.content
    assert created.json()["total"] == 13
    assert Response.objects.get().answers["phq9_1"] == 2


@pytest.mark.parametrize("sent", [True, False, 4, -1, "often", 1.5, "1.5", "", [1], {"a": 1}])
def test_an_unreadable_item_9_is_refused_and_alerts_that_it_could_not_be_read(
    personas: Personas, sent: object
) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    refused = post_phq9(tara, client_id, with_item9(sent))
    assert refused.status_code == 422
    assert locations(refused) == [ITEM9]
    alert = Alert.objects.get()
    assert refused.json()["risk_alert_id"] == str(alert.uuid)
    assert refused.json()["risk_alert"].startswith(
        "A risk alert was raised for this client's treating clinician"
    )
    assert alert.kind == "risk"
    assert alert.rule == "phq9_item9_unreadable"
    assert alert.session is not None
    assert str(alert.session.date) == SESSION
    assert told(alert) == {"tara@example.com", "olivia@example.com"}
    kept = RefusedResponse.objects.get()
    assert kept.answers == with_item9(sent)
    assert kept.alert == alert
    assert kept.session == alert.session
    assert [problem["item"] for problem in kept.problems] == ["phq9_9"]
    assert Response.objects.count() == 0


def test_a_record_refused_for_another_fault_still_alerts_on_item_9(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    answers = {**with_item9(2), "phq9_1": "sometimes", "phq9_12": 1}
    refused = post_phq9(tara, client_id, answers)
    assert refused.status_code == 422
    body = refused.json()
    assert ["body", "payload", "answers", "phq9_1"] in locations(refused)
    assert ["body", "payload", "answers", "phq9_12"] in locations(refused)
    alert = Alert.objects.get()
    assert body["risk_alert_id"] == str(alert.uuid)
    assert alert.rule == "phq9_item9"
    assert alert.session is not None
    assert str(alert.session.date) == SESSION
    assert alert.evidence["phq9_item9"]["phq9_item9"] == 2
    kept = RefusedResponse.objects.get()
    assert kept.answers == answers
    assert kept.source == "api"
    assert kept.recorded_by == personas.therapist
    assert {problem["item"] for problem in kept.problems} == {"phq9_1", "phq9_12"}
    assert Response.objects.count() == 0


def test_the_alert_names_the_session_and_the_answer_in_words(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    post_phq9(tara, client_id, {**with_item9(3), "phq9_1": "x"})
    page = signed_in(personas.therapist).get(f"/staff/clients/{client_id}/").content.decode()
    assert "At the session of Tue 1 Sep 2026, item 9 of the PHQ-9" in page
    assert '"Nearly every day"' in page or "&quot;Nearly every day&quot;" in page
    band = signed_in(personas.therapist).get("/staff/").content.decode()
    assert "session of Tue 1 Sep" in band
    assert "item 9: “Nearly every day”" in band
    # Answered on another day than the session's: the answer's own date is given in full.
    assert "answered that day" not in band


def test_a_refusal_that_does_not_touch_risk_keeps_nothing(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    refused = post_phq9(tara, client_id, {**with_item9(0), "phq9_1": "x"})
    assert refused.status_code == 422
    assert refused.json().get("risk_alert_id") is None
    assert refused.json().get("risk_alert") is None
    assert Alert.objects.count() == 0
    assert RefusedResponse.objects.count() == 0
    assert TherapySession.objects.count() == 0


@pytest.mark.parametrize("first", [2, "often"])
def test_the_corrected_record_joins_the_alert_instead_of_raising_another(
    personas: Personas, first: object
) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    refused = post_phq9(tara, client_id, {**with_item9(first), "phq9_1": "x"})
    assert refused.status_code == 422
    created = post_phq9(tara, client_id, with_item9(2))
    assert created.status_code == 201, created.content
    response = Response.objects.get()
    alert = Alert.objects.get()
    assert str(alert.uuid) == refused.json()["risk_alert_id"]
    assert alert.response == response
    assert alert.evidence["phq9_item9"]["phq9_item9"] == 2
    assert RefusedResponse.objects.get().superseded_by == response
    notes = list(AlertEvent.objects.filter(alert=alert).values_list("note", flat=True))
    assert any("corrected record" in note for note in notes)
    assert told(alert) == {"tara@example.com", "olivia@example.com"}  # told once, not twice


def test_a_retried_refusal_is_kept_once_under_the_same_alert(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    answers = {**with_item9(1), "phq9_1": "x"}
    first = post_phq9(tara, client_id, answers, **{"Idempotency-Key": "try-1"})
    again = post_phq9(tara, client_id, answers, **{"Idempotency-Key": "try-1"})
    assert first.status_code == again.status_code == 422
    assert first.json()["risk_alert_id"] == again.json()["risk_alert_id"]
    assert RefusedResponse.objects.count() == 1
    fixed = with_item9(1)
    done = post_phq9(tara, client_id, fixed, **{"Idempotency-Key": "try-2"})
    retried = post_phq9(tara, client_id, fixed, **{"Idempotency-Key": "try-2"})
    assert done.status_code == retried.status_code == 201
    assert done.json()["id"] == retried.json()["id"]
    assert Alert.objects.count() == 1


def test_the_clinician_sees_what_was_sent_and_why_it_was_refused(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    post_phq9(tara, client_id, with_item9("often"))
    page = signed_in(personas.therapist).get(f"/staff/clients/{client_id}/").content.decode()
    assert "Risk answer unreadable" in page
    assert "What was sent" in page
    # Each answer beside its question, as sent and what it reads as.
    rows = re.findall(
        r"<tr><td>([^<]*)</td><td><code>([^<]*)</code></td><td>([^<]*)</td></tr>", page
    )
    assert (
        "Thoughts that you would be better off dead or of hurting yourself in some way",
        "&quot;often&quot;",
        "—",
    ) in rows
    assert ("Little interest or pleasure in doing things", "1", "Several days") in rows
    assert (
        "“Thoughts that you would be better off dead or of hurting yourself in some way”: "
        "expected a whole number"
    ) in page
    outsider = signed_in(personas.colleague).get(f"/staff/clients/{client_id}/")
    assert outsider.status_code == 404


@pytest.mark.parametrize("sent", ["\x00", "\ud800", "9" * 5000, 10**400, float("1e308")])
def test_hostile_item_9_values_are_refused_and_alert_without_a_500(
    personas: Personas, sent: object
) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    refused = post_phq9(tara, client_id, with_item9(sent))
    assert refused.status_code == 422, refused.content
    assert refused.json()["risk_alert_id"] == str(Alert.objects.get().uuid)
    assert RefusedResponse.objects.count() == 1


def test_the_risk_email_gives_the_session_date(
    personas: Personas, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    post_phq9(tara, client_id, with_item9(1))
    post_phq9(
        tara,
        Caller(personas.therapist).new_client(personas.tara),
        {**with_item9("often")},
    )
    assert outbox_flush() == 4
    texts = [message_parts(message)["text/plain"] for message in smtp_server.messages]
    for text in texts:
        assert "Tuesday 1 September 2026" in text
    assert sum("could not be read" in text for text in texts) == 2


def test_the_kept_record_is_in_the_export_and_its_words_go_on_erasure(
    personas: Personas,
) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    sent = {**with_item9("Robin says often"), "phq9_1": "2"}
    post_phq9(tara, client_id, sent)
    client = CareClient.objects.get(uuid=client_id)
    (kept,) = client_export(client=client, request=None)["refused_responses"]
    assert kept["answers"] == sent
    assert kept["session_date"] == SESSION
    client_erase(client=client)
    record = RefusedResponse.objects.get()
    assert record.answers == {**with_item9("(erased)"), "phq9_1": "2"}
    assert "Robin" not in str(record.problems)
    assert "Robin" not in str(Alert.objects.get().evidence)


def test_a_risk_answer_alerts_whatever_else_is_wrong_with_the_record(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    late = tara.post(
        f"/clients/{client_id}/responses",
        {
            "instrument": "phq9",
            "answers": with_item9("2"),
            "session_date": SESSION,
            "completed_at": (timezone.now() + timedelta(days=2)).isoformat(),
            "appointment_id": "not-an-appointment",
        },
    )
    assert late.status_code == 422
    where = locations(late)
    assert ["body", "payload", "completed_at"] in where
    assert ["body", "payload", "appointment_id"] in where
    alert = Alert.objects.get()
    assert late.json()["risk_alert_id"] == str(alert.uuid)
    assert alert.session is not None
    assert str(alert.session.date) == SESSION
    messages = [problem["message"] for problem in RefusedResponse.objects.get().problems]
    assert "completed_at: completed_at is in the future." in messages


def test_an_appointment_on_another_day_still_names_its_session(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    appointment = session_booked(
        therapist=personas.tara, client=CareClient.objects.get(uuid=client_id)
    )
    refused = tara.post(
        f"/clients/{client_id}/responses",
        {
            "instrument": "phq9",
            "answers": with_item9(True),
            "appointment_id": str(appointment.uuid),
            "session_date": "2020-01-01",
        },
    )
    assert refused.status_code == 422
    alert = Alert.objects.get()
    assert alert.rule == "phq9_item9_unreadable"
    assert alert.session is not None
    assert alert.session.appointment == appointment


@pytest.mark.parametrize("answers", [with_item9(None), phq9(1, 1, 1, 1, 1, 1, 1, 1)])
def test_item_9_left_unanswered_is_refused_without_an_alert(
    personas: Personas, answers: dict[str, Any]
) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    refused = post_phq9(tara, client_id, answers)
    assert refused.status_code == 422
    assert locations(refused) == [ITEM9]
    assert refused.json()["risk_alert_id"] is None
    assert Alert.objects.count() == RefusedResponse.objects.count() == 0


def test_a_second_refused_record_for_the_session_joins_the_same_alert(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    first = post_phq9(tara, client_id, with_item9("often"))
    second = post_phq9(tara, client_id, {**with_item9(3), "phq9_1": "x"})
    assert first.json()["risk_alert_id"] == second.json()["risk_alert_id"]
    alert = Alert.objects.get()
    assert RefusedResponse.objects.filter(alert=alert).count() == 2
    assert AlertEvent.objects.filter(alert=alert, note__startswith="Another record").exists()
    assert alert.evidence["phq9_item9"]["answer"] == "Nearly every day"
    assert told(alert) == {"tara@example.com", "olivia@example.com"}


def test_a_correction_to_not_at_all_joins_the_alert_and_leaves_it_open(
    personas: Personas,
) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    post_phq9(tara, client_id, {**with_item9(2), "phq9_1": "x"})
    created = post_phq9(tara, client_id, with_item9(0))
    assert created.status_code == 201
    assert created.json()["flags"] == []
    alert = Alert.objects.get()
    assert alert.state == "open"
    assert alert.response == Response.objects.get()
    page = signed_in(personas.therapist).get(f"/staff/clients/{client_id}/").content.decode()
    assert "was answered &quot;Not at all&quot;." in page
    assert "&quot;More than half the days&quot;" not in page  # evidence is the latest answer
    assert "<code>2</code>" in page  # what was first sent is still shown


@pytest.mark.parametrize(
    "fields",
    [
        {"session_date": "2026-13-45"},
        {"session_date": SESSION, "completed_at": "2026-09-01T10:00:00"},  # no offset
        {"session_date": SESSION, "instrument": "phq9", "appointment_id": 7},
    ],
)
def test_a_body_its_schema_refuses_still_alerts_on_item_9(
    personas: Personas, fields: dict[str, Any]
) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    refused = tara.post(
        f"/clients/{client_id}/responses",
        {"instrument": "phq9", "answers": with_item9("3"), **fields},
    )
    assert refused.status_code == 422
    alert = Alert.objects.get()
    assert refused.json()["risk_alert_id"] == str(alert.uuid)
    assert alert.evidence["phq9_item9"]["answer"] == "Nearly every day"
    assert alert.session is not None
    if fields["session_date"] == SESSION:
        assert str(alert.session.date) == SESSION
    kept = RefusedResponse.objects.get()
    assert kept.answers == with_item9("3")
    assert kept.problems  # why the schema refused it


def test_a_body_refused_before_the_view_alerts_only_for_who_may_record(
    personas: Personas,
) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    body = {"instrument": "phq9", "answers": with_item9(2), "session_date": "someday"}
    for outsider in (personas.frontdesk, personas.colleague):
        refused = Caller(outsider).post(f"/clients/{client_id}/responses", body)
        assert refused.status_code == 422
        assert "risk_alert_id" not in refused.json()
    assert Alert.objects.count() == 0


def test_a_risk_answer_refused_for_its_idempotency_key_still_alerts(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    first_client = tara.new_client(personas.tara)
    second_client = tara.new_client(personas.tara)
    key = {"Idempotency-Key": "shared"}
    assert post_phq9(tara, first_client, with_item9(0), **key).status_code == 201
    refused = post_phq9(tara, second_client, with_item9(2), **key)
    assert refused.status_code == 422
    assert locations(refused) == [["header", "Idempotency-Key"]]
    alert = Alert.objects.get()
    assert str(alert.client.uuid) == second_client
    assert refused.json()["risk_alert_id"] == str(alert.uuid)


@pytest.mark.django_db(transaction=True)
def test_two_refused_records_at_once_raise_one_alert(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    # The session exists already, so the two meet at the alert, not at the session's creation.
    gad7 = {"instrument": "gad7", "answers": {f"gad7_{n}": 1 for n in range(1, 8)}}
    tara.post(f"/clients/{client_id}/responses", {**gad7, "session_date": SESSION})
    start = threading.Barrier(2)
    statuses: list[int] = []

    def send(item9: object) -> None:
        start.wait(timeout=10)
        try:
            statuses.append(post_phq9(tara, client_id, with_item9(item9)).status_code)
        finally:
            connections.close_all()

    racers = [threading.Thread(target=send, args=(value,)) for value in ("often", True)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=30)
    assert statuses == [422, 422]
    alert = Alert.objects.get()
    assert set(RefusedResponse.objects.values_list("alert", flat=True)) == {alert.pk}


@pytest.mark.django_db(transaction=True)
def test_a_refused_and_a_scored_risk_record_at_once_share_one_alert(personas: Personas) -> None:
    tara = Caller(personas.therapist)
    client_id = tara.new_client(personas.tara)
    gad7 = {"instrument": "gad7", "answers": {f"gad7_{n}": 1 for n in range(1, 8)}}
    tara.post(f"/clients/{client_id}/responses", {**gad7, "session_date": SESSION})
    start = threading.Barrier(2)
    statuses: list[int] = []

    def send(item9: object) -> None:
        start.wait(timeout=10)
        try:
            statuses.append(post_phq9(tara, client_id, with_item9(item9)).status_code)
        finally:
            connections.close_all()

    racers = [threading.Thread(target=send, args=(value,)) for value in ("often", 2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=30)
    assert sorted(statuses) == [201, 422]
    alert = Alert.objects.get()
    assert alert.response == Response.objects.get(instrument="phq9")
    assert RefusedResponse.objects.get().alert == alert
