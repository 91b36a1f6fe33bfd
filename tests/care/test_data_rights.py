"""A client's data rights: everything held about them in one file, and erasure that keeps the
clinical record without the person (docs/security.md, Data rights)."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client as Browser
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pytest_django.fixtures import Settings

from alliance.accounts.models import AuditRecord
from alliance.booking.models import (
    Appointment,
    BookingMessage,
    ConsultationRequest,
    MessageKind,
)
from alliance.care.alerts import alert_move
from alliance.care.models import Alert, AlertState, Response
from alliance.clients.models import Client
from alliance.outbox.models import MessageStatus
from alliance.outbox.sending import outbox_flush
from tests.booking.fixtures import bookable_therapist
from tests.care.fixtures import after, all_answered, checkin_link, path_of, session_booked
from tests.conftest import Personas, signed_in
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

FIRST_SESSION = ["alliance_client", "phq9", "gad7"]
NAME, EMAIL, PHONE = "Robin Quill", "robin.quill@example.com", "+1 305 555 0142"
COMMENT = "Robin here: the week was hard."
NOTE = "Phoned Robin Quill; safety plan reviewed."
REQUEST_MESSAGE = "I am Robin Quill and I would like to talk to someone."
# What must not survive an erasure anywhere in the database.
IDENTIFYING = ["Robin", "Quill", "robin.quill", "555 0142", "week was hard", "talk to someone"]
# Wednesday 14 October 2026, 4 PM UTC (noon in New York): the session is the next day.
NOW = datetime(2026, 10, 14, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mail(smtp_server: SmtpServer, settings: Settings) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = "https://practice.example"


@dataclass
class Record:
    client: Client
    appointment: Appointment
    request: ConsultationRequest


def robins_record(personas: Personas, smtp_server: SmtpServer) -> Record:
    """Robin asked for a consultation, had a session with Tara, answered the check-in with a
    risk answer and a comment, and Tara acknowledged the alert with a note."""
    bookable_therapist(personas.tara.slug)
    client = Client.objects.create(name=NAME, email=EMAIL, phone=PHONE, therapist=personas.tara)
    with time_machine.travel(NOW, tick=False):
        request = ConsultationRequest.objects.create(
            submission_token=uuid.uuid4(),
            name=NAME,
            email="Robin.Quill@example.com",
            phone=PHONE,
            preferred_contact="email",
            message=REQUEST_MESSAGE,
            consent=True,
            created_at=timezone.now(),
        )
        appointment = session_booked(therapist=personas.tara, client=client)
    with time_machine.travel(appointment.end, tick=False):
        link = checkin_link(smtp_server, appointment)
        answers = all_answered(FIRST_SESSION, phq9_9=2)
        done = Browser().post(path_of(link), {**answers, "comment": COMMENT})
        assert done.status_code == 302
        alert = Alert.objects.get(client=client, kind="risk")
        alert_move(
            alert=alert,
            to=AlertState.ACKNOWLEDGED,
            by=personas.therapist,
            action="safety_plan",
            note=NOTE,
        )
    return Record(client=client, appointment=appointment, request=request)


def exported(client: Client) -> dict[str, Any]:
    out = StringIO()
    call_command("client_export", str(client.uuid), stdout=out)
    document: dict[str, Any] = json.loads(out.getvalue())
    return document


def every_text_in_the_database() -> str:
    """Every value of every column of every table, as one text."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 -- names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes):
                        values.append(value.decode(errors="replace"))
                    elif value is not None:
                        values.append(str(value))
    return "\n".join(values)


# --- export ------------------------------------------------------------------------------------


def test_the_export_holds_every_kind_of_data_about_the_client(
    personas: Personas, smtp_server: SmtpServer
) -> None:
    record = robins_record(personas, smtp_server)
    document = exported(record.client)
    assert document["format"] == "alliance-client-export/1"
    assert document["client"] | {"since": None} == {
        "id": str(record.client.uuid),
        "name": "Robin Quill",
        "email": "robin.quill@example.com",
        "phone": "+1 305 555 0142",
        "therapist": "Tara Tate",
        "since": None,
        "erased_at": None,
    }
    [appointment] = document["appointments"]
    assert appointment["id"] == str(record.appointment.uuid)
    assert (appointment["type"], appointment["therapist"]) == ("Session", "Tara Tate")
    assert appointment["start"] == "2026-10-15T14:00:00+00:00"  # 10 AM in New York
    [request] = document["consultation_requests"]
    assert request["id"] == str(record.request.uuid)
    assert (request["name"], request["phone"]) == ("Robin Quill", "+1 305 555 0142")
    assert request["message"] == REQUEST_MESSAGE
    [episode] = document["episodes"]
    assert episode["therapist"] == "Tara Tate"
    assert episode["sessions"] == [
        {"date": "2026-10-15", "appointment": str(record.appointment.uuid)}
    ]
    [invitation] = document["checkin_invitations"]
    assert invitation["instruments"] == FIRST_SESSION
    by_code = {response["instrument"]: response for response in document["responses"]}
    assert set(by_code) == {"alliance_client", "phq9", "gad7"}
    assert by_code["phq9"]["answers"]["phq9_9"] == 2
    assert by_code["phq9"]["total"] == 2
    assert by_code["phq9"]["flags"] == ["risk"]
    assert by_code["alliance_client"]["comment"] == COMMENT
    [alert] = document["alerts"]
    assert (alert["kind"], alert["state"]) == ("risk", "acknowledged")
    assert alert["response"] == by_code["phq9"]["id"]
    assert alert["events"][-1] | {"at": None} == {
        "state": "acknowledged",
        "action": "safety_plan",
        "note": NOTE,
        "by": "tara",
        "at": None,
    }
    sent = [email for email in document["emails"] if email["status"] == "sent"]
    assert [(email["kind"], email["to"]) for email in sent] == [
        ("checkin", "robin.quill@example.com")
    ]


def test_the_exports_fhir_bundle_is_valid_r4(personas: Personas, smtp_server: SmtpServer) -> None:
    record = robins_record(personas, smtp_server)
    bundle = exported(record.client)["fhir"]
    Bundle.model_validate(bundle)
    resources = [entry["resource"] for entry in bundle["entry"]]
    responses = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    observations = [r for r in resources if r["resourceType"] == "Observation"]
    assert len(responses) == len(observations) == 3
    for resource in responses:
        QuestionnaireResponse.model_validate(resource)
        assert resource["subject"] == {"reference": f"Patient/{record.client.uuid}"}
    for resource in observations:
        Observation.model_validate(resource)
    assert sorted(o["valueInteger"] for o in observations) == [0, 2, 7]


def test_the_export_command_writes_a_file_and_is_audited(
    personas: Personas, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    record = robins_record(personas, smtp_server)
    target = tmp_path / "robin.json"
    call_command("client_export", str(record.client.uuid), output=target, stderr=StringIO())
    assert json.loads(target.read_text())["client"]["email"] == "robin.quill@example.com"
    audit = AuditRecord.objects.get(what="client export")
    assert (audit.user, audit.role, audit.client_uuid) == (None, "command", record.client.uuid)


@pytest.mark.parametrize("command", ["client_export", "client_erase"])
def test_the_commands_refuse_an_unknown_client_clearly(command: str) -> None:
    stranger = "0b7d2f5e-6c1a-4e8b-9f3d-2a1c4b5d6e7f"
    with pytest.raises(CommandError, match=f"No client has the id {stranger}."):
        call_command(command, stranger)
    with pytest.raises(CommandError, match="'robin' is not a client id"):
        call_command(command, "robin")


def test_the_owner_downloads_the_export_from_the_client_page(
    personas: Personas, smtp_server: SmtpServer
) -> None:
    record = robins_record(personas, smtp_server)
    browser = signed_in(personas.owner)
    page = browser.get(f"/staff/clients/{record.client.uuid}/").content.decode()
    assert f"/staff/clients/{record.client.uuid}/export.json" in page
    download = browser.get(f"/staff/clients/{record.client.uuid}/export.json")
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="client-{record.client.uuid}.json"'
    )
    assert download.json()["client"]["name"] == "Robin Quill"
    audit = AuditRecord.objects.get(what="client export")
    assert (audit.user, audit.role, audit.client_uuid) == (
        personas.owner,
        "owner",
        record.client.uuid,
    )


@pytest.mark.parametrize("persona", ["therapist", "colleague", "frontdesk", "client"])
def test_no_one_but_the_owner_may_download_it(
    personas: Personas, smtp_server: SmtpServer, persona: str
) -> None:
    record = robins_record(personas, smtp_server)
    path = f"/staff/clients/{record.client.uuid}/export.json"
    assert signed_in(getattr(personas, persona)).get(path).status_code == 403
    assert Browser().get(path).status_code == 302  # an outsider signs in first
    page = signed_in(personas.therapist).get(f"/staff/clients/{record.client.uuid}/")
    assert "export.json" not in page.content.decode()
    assert not AuditRecord.objects.filter(what="client export").exists()


# --- erasure -----------------------------------------------------------------------------------


def test_erasure_needs_yes_and_changes_nothing_without_it(
    personas: Personas, smtp_server: SmtpServer
) -> None:
    record = robins_record(personas, smtp_server)
    with pytest.raises(CommandError, match="run again with --yes"):
        call_command("client_erase", str(record.client.uuid))
    record.client.refresh_from_db()
    assert (record.client.name, record.client.erased_at) == ("Robin Quill", None)


def test_erasure_leaves_no_trace_of_the_person_and_keeps_the_scores(
    personas: Personas, smtp_server: SmtpServer
) -> None:
    record = robins_record(personas, smtp_server)
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=UTC)):
        signed_in(personas.therapist).get(f"/staff/clients/{record.client.uuid}/")
    before = every_text_in_the_database()
    assert all(text in before for text in IDENTIFYING)  # the search below can find them
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), tick=False):
        call_command("client_erase", str(record.client.uuid), yes=True, stdout=StringIO())
    after_erasure = every_text_in_the_database()
    assert [text for text in IDENTIFYING if text in after_erasure] == []
    assert sorted(
        Response.objects.filter(client=record.client).values_list("instrument", "total")
    ) == [
        ("alliance_client", 7),
        ("gad7", 0),
        ("phq9", 2),
    ]
    record.client.refresh_from_db()
    assert record.client.name == "Erased client"
    assert record.client.erased_at == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert Alert.objects.get(client=record.client).state == "acknowledged"
    # The trail stays, by UUID: who looked before, and that the erasure happened.
    assert list(
        AuditRecord.objects.filter(client_uuid=record.client.uuid)
        .order_by("at", "pk")
        .values_list("what", "role")
    ) == [("client page", "therapist"), ("client erase", "command")]


def test_an_erased_client_is_not_emailed_booked_or_named(
    personas: Personas, smtp_server: SmtpServer
) -> None:
    record = robins_record(personas, smtp_server)
    with time_machine.travel(NOW, tick=False):
        later = session_booked(therapist=personas.tara, client=record.client, days_ahead=7)
    reminders = BookingMessage.objects.filter(appointment=later, kind=MessageKind.REMINDER)
    assert reminders.exists()
    with after(record.appointment):
        outbox_flush()  # what is due by then: the risk alerts to Tara and Olivia
        call_command("client_erase", str(record.client.uuid), yes=True, stdout=StringIO())
    later.refresh_from_db()
    assert later.status == "cancelled"
    assert set(later.messages.values_list("status", flat=True)) == {MessageStatus.CANCELLED}
    sent_before = len(smtp_server.messages)
    with time_machine.travel(later.end):
        outbox_flush()
    assert len(smtp_server.messages) == sent_before
    owner = signed_in(personas.owner)
    booking_page = owner.get("/staff/appointments/new/").content.decode()
    assert str(record.client.uuid) not in booking_page  # the client list offers them no more
    assert "Erased client" not in booking_page
    client_page = owner.get(f"/staff/clients/{record.client.uuid}/").content.decode()
    assert "Erased client" in client_page
    assert "Robin" not in client_page


def test_a_check_in_link_renewed_after_erasure_sends_nothing(
    personas: Personas, smtp_server: SmtpServer
) -> None:
    bookable_therapist(personas.tara.slug)
    client = Client.objects.create(name=NAME, email=EMAIL, therapist=personas.tara)
    with time_machine.travel(NOW, tick=False):
        appointment = session_booked(therapist=personas.tara, client=client)
    link = checkin_link(smtp_server, appointment)
    with after(appointment):
        call_command("client_erase", str(client.uuid), yes=True, stdout=StringIO())
        sent_before = len(smtp_server.messages)
        Browser().post(path_of(link) + "new-link/")
        outbox_flush()
    assert len(smtp_server.messages) == sent_before
