"""The read audit: who was shown which client's clinical data, kept append-only, read by the
owner alone (docs/security.md, Read audit)."""

import csv
import io
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.http import HttpRequest
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.accounts.audit import audit_record
from alliance.accounts.models import AuditIsAppendOnly, AuditRecord, User
from alliance.accounts.tokens import api_token_create
from alliance.booking.models import Appointment
from alliance.care.models import Response, ResponseSource
from alliance.care.progress import progress_token_make
from alliance.care.services import answers_score, response_record, session_on
from alliance.clients.models import Client
from tests.booking.fixtures import bookable_therapist
from tests.care.fixtures import session_booked
from tests.care.history import practice_today
from tests.conftest import Personas, signed_in

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as HttpResponse

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


def taras_client(personas: Personas) -> Client:
    return Client.objects.create(
        name="Casey Client", email="casey@example.com", therapist=personas.tara
    )


def phq9_recorded(client: Client) -> Response:
    assert client.therapist is not None
    session = session_on(client=client, therapist=client.therapist, day=practice_today())
    return response_record(
        session=session,
        scored=answers_score("phq9", {f"phq9_{n}": 1 for n in range(1, 10)}),
        completed_at=timezone.now(),
        source=ResponseSource.API,
    )


def api_get(personas: Personas, path: str, user_name: str = "therapist") -> "HttpResponse":
    token = api_token_create(user=getattr(personas, user_name))
    return HttpClient().get(
        f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, REMOTE_ADDR=ADDRESS
    )


def only_record() -> AuditRecord:
    (record,) = AuditRecord.objects.all()
    return record


def held_session(personas: Personas) -> Appointment:
    bookable_therapist(personas.tara.slug)
    return session_booked(therapist=personas.tara, client=taras_client(personas))


# --- each view that shows clinical data writes one record ----------------------------------------


def test_it_records_the_therapist_opening_the_client_page(personas: Personas) -> None:
    client = taras_client(personas)
    with time_machine.travel(datetime(2026, 3, 8, 6, 30, tzinfo=UTC), tick=False):
        page = signed_in(personas.therapist).get(
            f"/staff/clients/{client.uuid}/", REMOTE_ADDR=ADDRESS
        )
    assert page.status_code == 200
    record = only_record()
    assert record.user == personas.therapist
    assert record.role == "therapist"
    assert record.client_uuid == client.uuid
    assert record.what == "client page"
    assert record.at == datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
    assert record.address == ADDRESS


def test_it_records_the_owner_in_the_owners_role(personas: Personas) -> None:
    client = taras_client(personas)
    signed_in(personas.owner).get(f"/staff/clients/{client.uuid}/")
    record = only_record()
    assert (record.user, record.role) == (personas.owner, "owner")


def test_it_records_nothing_when_a_colleague_gets_a_404(personas: Personas) -> None:
    client = taras_client(personas)
    assert signed_in(personas.colleague).get(f"/staff/clients/{client.uuid}/").status_code == 404
    assert AuditRecord.objects.count() == 0


def test_it_records_nothing_when_the_front_desk_is_refused(personas: Personas) -> None:
    client = taras_client(personas)
    assert signed_in(personas.frontdesk).get(f"/staff/clients/{client.uuid}/").status_code == 403
    assert api_get(personas, f"/clients/{client.uuid}/outcomes", "frontdesk").status_code == 403
    assert AuditRecord.objects.count() == 0


def test_it_records_the_client_link_without_a_user(personas: Personas) -> None:
    client = taras_client(personas)
    page = HttpClient().get(f"/progress/{progress_token_make(client)}/", REMOTE_ADDR=ADDRESS)
    assert page.status_code == 200
    record = only_record()
    assert record.user is None
    assert record.role == "client_link"
    assert (record.client_uuid, record.what, record.address) == (
        client.uuid,
        "progress page",
        ADDRESS,
    )


def test_it_records_nothing_for_a_forged_progress_link(personas: Personas) -> None:
    assert HttpClient().get("/progress/forged/").status_code == 404
    assert AuditRecord.objects.count() == 0


def test_it_records_the_session_rating_page_with_its_appointment(personas: Personas) -> None:
    appointment = held_session(personas)
    with time_machine.travel(appointment.end):
        page = signed_in(personas.therapist).get(f"/staff/appointments/{appointment.uuid}/rate/")
    assert page.status_code == 200
    record = only_record()
    assert (record.user, record.role, record.what) == (
        personas.therapist,
        "therapist",
        "session rating",
    )
    assert record.client_uuid == appointment.client.uuid
    assert record.object_id == str(appointment.uuid)


@pytest.mark.parametrize(
    ("path", "what"),
    [
        ("/clients/{client}/outcomes", "outcomes"),
        ("/clients/{client}/signals", "signals"),
        ("/fhir/QuestionnaireResponse?patient={client}", "fhir responses"),
        ("/fhir/Observation?patient={client}", "fhir observations"),
    ],
)
def test_it_records_each_clinical_api_read(personas: Personas, path: str, what: str) -> None:
    client = taras_client(personas)
    phq9_recorded(client)
    response = api_get(personas, path.format(client=client.uuid))
    assert response.status_code == 200, response.content
    record = only_record()
    assert (record.user, record.role, record.what) == (personas.therapist, "therapist", what)
    assert (record.client_uuid, record.address) == (client.uuid, ADDRESS)


@pytest.mark.parametrize(
    "path",
    [
        "/clients/{client}/outcomes",
        "/clients/{client}/signals",
        "/fhir/QuestionnaireResponse?patient={client}",
        "/fhir/Observation?patient={client}",
    ],
)
def test_it_records_nothing_when_the_api_answers_404(personas: Personas, path: str) -> None:
    client = taras_client(personas)
    response = api_get(personas, path.format(client=client.uuid), "colleague")
    assert response.status_code == 404
    assert AuditRecord.objects.count() == 0


def test_it_records_a_response_written_through_the_api_with_its_score(
    personas: Personas,
) -> None:
    client = taras_client(personas)
    token = api_token_create(user=personas.therapist)
    created = HttpClient().post(
        f"/api/v1/clients/{client.uuid}/responses",
        {"instrument": "phq9", "answers": {f"phq9_{n}": 0 for n in range(1, 10)}},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.content
    record = only_record()
    assert (record.what, record.client_uuid) == ("response", client.uuid)
    assert record.object_id == created.json()["id"]


# --- one insert per request ----------------------------------------------------------------------


def inserts(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries if query["sql"].upper().startswith("INSERT")]


def test_the_client_page_writes_exactly_one_insert(personas: Personas) -> None:
    client = taras_client(personas)
    browser = signed_in(personas.therapist)
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(f"/staff/clients/{client.uuid}/").status_code == 200
    (insert,) = inserts(queries)
    assert "accounts_auditrecord" in insert


def test_an_api_read_writes_exactly_one_insert(personas: Personas) -> None:
    client = taras_client(personas)
    phq9_recorded(client)
    token = api_token_create(user=personas.therapist)
    with CaptureQueriesContext(connection) as queries:
        response = HttpClient().get(
            f"/api/v1/fhir/Observation?patient={client.uuid}",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200
    (insert,) = inserts(queries)
    assert "accounts_auditrecord" in insert


# --- append-only ---------------------------------------------------------------------------------


def a_record() -> AuditRecord:
    return audit_record(request=None, what="client page", client_uuid=uuid.uuid4())


def test_the_app_cannot_change_or_delete_a_record() -> None:
    record = a_record()
    with pytest.raises(AuditIsAppendOnly):
        AuditRecord.objects.filter(pk=record.pk).update(what="nothing")
    with pytest.raises(AuditIsAppendOnly):
        AuditRecord.objects.all().delete()
    record.what = "nothing"
    with pytest.raises(AuditIsAppendOnly):
        record.save()
    with pytest.raises(AuditIsAppendOnly):
        record.delete()
    assert AuditRecord.objects.get().what == "client page"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditrecord SET what = 'nothing'",
        "DELETE FROM accounts_auditrecord",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_record(statement: str) -> None:
    a_record()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditRecord.objects.get().what == "client page"


def test_a_person_who_has_read_records_cannot_be_deleted(personas: Personas) -> None:
    client = taras_client(personas)
    signed_in(personas.therapist).get(f"/staff/clients/{client.uuid}/")
    with pytest.raises(ProtectedError):
        personas.therapist.delete()
    assert only_record().user == personas.therapist


@pytest.mark.django_db(transaction=True)
def test_the_test_database_is_still_emptied_after_a_transactional_test() -> None:
    # The SQLite trigger refuses DELETE, which Django's flush uses; tests/conftest.py lets the
    # flush through. Without it this test's teardown fails.
    a_record()


# --- the owner's page ----------------------------------------------------------------------------


def test_the_owner_sees_the_audit_page(personas: Personas) -> None:
    client = taras_client(personas)
    signed_in(personas.therapist).get(f"/staff/clients/{client.uuid}/")
    page = signed_in(personas.owner).get("/staff/audit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert str(client.uuid) in html
    assert "tara@example.com" in html
    assert "client page" in html


@pytest.mark.parametrize("path", ["/staff/audit/", "/staff/audit/export.csv"])
@pytest.mark.parametrize("persona", ["therapist", "frontdesk", "client"])
def test_no_one_else_sees_the_audit(personas: Personas, path: str, persona: str) -> None:
    assert signed_in(getattr(personas, persona)).get(path).status_code == 403


@pytest.mark.parametrize("path", ["/staff/audit/", "/staff/audit/export.csv"])
def test_an_outsider_is_sent_to_sign_in(path: str) -> None:
    page = HttpClient().get(path)
    assert page.status_code == 302
    assert page["Location"].startswith("/staff/sign-in/")


def recorded_at(moment: datetime, *, request: HttpRequest, client_uuid: uuid.UUID) -> None:
    with time_machine.travel(moment, tick=False):
        audit_record(request=request, what="client page", client_uuid=client_uuid)


def request_by(user: User) -> HttpRequest:
    request = RequestFactory().get("/", REMOTE_ADDR=ADDRESS)
    request.user = user
    return request


def test_the_owner_filters_by_person_client_and_days(personas: Personas) -> None:
    casey, robin = uuid.uuid4(), uuid.uuid4()
    tara, theo = request_by(personas.therapist), request_by(personas.colleague)
    recorded_at(datetime(2026, 1, 9, 23, 0, tzinfo=UTC), request=tara, client_uuid=casey)
    recorded_at(datetime(2026, 1, 10, 9, 0, tzinfo=UTC), request=tara, client_uuid=casey)
    recorded_at(datetime(2026, 1, 11, 23, 59, tzinfo=UTC), request=tara, client_uuid=casey)
    recorded_at(datetime(2026, 1, 12, 0, 0, tzinfo=UTC), request=tara, client_uuid=casey)
    recorded_at(datetime(2026, 1, 10, 9, 0, tzinfo=UTC), request=tara, client_uuid=robin)
    recorded_at(datetime(2026, 1, 10, 9, 0, tzinfo=UTC), request=theo, client_uuid=casey)
    page = signed_in(personas.owner).get(
        "/staff/audit/",
        {
            "user": str(personas.therapist.pk),
            "client": str(casey),
            "since": "2026-01-10",
            "until": "2026-01-11",
        },
    )
    assert page.status_code == 200
    shown = [(r.at, r.user, r.client_uuid) for r in page.context["page"].object_list]
    assert shown == [
        (datetime(2026, 1, 11, 23, 59, tzinfo=UTC), personas.therapist, casey),
        (datetime(2026, 1, 10, 9, 0, tzinfo=UTC), personas.therapist, casey),
    ]


def test_the_audit_is_paged_fifty_at_a_time_newest_first(personas: Personas) -> None:
    client_uuid = uuid.uuid4()
    for minute in range(51):
        recorded_at(
            datetime(2026, 5, 1, 10, minute, tzinfo=UTC),
            request=request_by(personas.therapist),
            client_uuid=client_uuid,
        )
    browser = signed_in(personas.owner)
    first = browser.get("/staff/audit/").context["page"]
    second = browser.get("/staff/audit/", {"page": "2"}).context["page"]
    assert len(first.object_list) == 50
    assert first.object_list[0].at == datetime(2026, 5, 1, 10, 50, tzinfo=UTC)
    assert [record.at for record in second.object_list] == [datetime(2026, 5, 1, 10, 0, tzinfo=UTC)]


def test_a_bad_filter_is_explained_and_what_was_typed_is_kept(personas: Personas) -> None:
    page = signed_in(personas.owner).get(
        "/staff/audit/", {"client": "casey", "since": "2026-02-10", "until": "2026-02-01"}
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert "Enter a valid UUID." in html
    assert "The last day comes on or after the first." in html
    assert 'value="casey"' in html


def test_the_csv_has_the_header_and_only_the_filtered_rows(personas: Personas) -> None:
    casey, robin = uuid.uuid4(), uuid.uuid4()
    tara = request_by(personas.therapist)
    recorded_at(datetime(2026, 7, 4, 15, 30, tzinfo=UTC), request=tara, client_uuid=casey)
    recorded_at(datetime(2026, 7, 4, 16, 0, tzinfo=UTC), request=tara, client_uuid=robin)
    with time_machine.travel(datetime(2026, 7, 5, 8, 0, tzinfo=UTC), tick=False):
        export = signed_in(personas.owner).get(
            "/staff/audit/export.csv", {"client": str(casey)}, REMOTE_ADDR="198.51.100.4"
        )
    assert export.status_code == 200
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows == [
        ["at_utc", "user_email", "user_name", "role", "client", "what", "object", "address"],
        [
            "2026-07-04T15:30:00+00:00",
            "tara@example.com",
            "tara",
            "therapist",
            str(casey),
            "client page",
            "",
            ADDRESS,
        ],
    ]
    exported = AuditRecord.objects.get(what="audit export")
    assert (exported.user, exported.role, exported.client_uuid) == (personas.owner, "owner", casey)
    assert exported.at == datetime(2026, 7, 5, 8, 0, tzinfo=UTC)
    assert exported.address == "198.51.100.4"


def test_a_cell_a_spreadsheet_would_run_is_exported_as_text(personas: Personas) -> None:
    personas.therapist.full_name = '=HYPERLINK("https://evil.example","open")'
    personas.therapist.save()
    audit_record(request=request_by(personas.therapist), what="client page", client_uuid=None)
    export = signed_in(personas.owner).get("/staff/audit/export.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[1][2] == '\'=HYPERLINK("https://evil.example","open")'


def test_the_audit_names_the_client_in_one_query(personas: Personas) -> None:
    tara = request_by(personas.therapist)
    clients = [Client.objects.create(name=f"Client {n}", therapist=personas.tara) for n in range(3)]
    for client in clients:
        audit_record(request=tara, what="client page", client_uuid=client.uuid)
    owner = signed_in(personas.owner)
    owner.get("/staff/audit/")  # the session and the practice, read once
    with CaptureQueriesContext(connection) as few:
        page = owner.get("/staff/audit/").content.decode()
    clients.append(Client.objects.create(name="Client 3", therapist=personas.tara))
    audit_record(request=tara, what="client page", client_uuid=clients[-1].uuid)
    with CaptureQueriesContext(connection) as more:
        owner.get("/staff/audit/")
    assert [f"Client {n}</a>" in page for n in range(3)] == [True, True, True]
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_caseload_records_each_client_it_shows_in_one_insert(personas: Personas) -> None:
    own = [Client.objects.create(name=f"Own {n}", therapist=personas.tara) for n in range(3)]
    Client.objects.create(name="Theo's", therapist=personas.theo)
    browser = signed_in(personas.therapist)
    with CaptureQueriesContext(connection) as queries:
        page = browser.get("/staff/clients/", REMOTE_ADDR=ADDRESS)
    assert page.status_code == 200
    (insert,) = inserts(queries)
    assert "accounts_auditrecord" in insert
    records = AuditRecord.objects.filter(what="caseload")
    assert {record.client_uuid for record in records} == {c.uuid for c in own}
    assert len(records) == 3
    assert {(r.user, r.role, r.address) for r in records} == {
        (personas.therapist, "therapist", ADDRESS)
    }


def test_the_alerts_at_the_top_of_staff_pages_are_recorded_per_client(
    personas: Personas,
) -> None:
    from tests.care.test_brief import ruptured
    from tests.care.test_staff_pages import phq9, record, taras_client

    quiet = signed_in(personas.colleague)
    quiet.get("/staff/")
    assert not AuditRecord.objects.exists()  # Theo has no alerts: nothing was shown
    ruptured(personas)  # counted in the band, never named there: not a read
    tara = signed_in(personas.therapist)
    tara.get("/staff/")
    assert not AuditRecord.objects.filter(what="alerts").exists()
    client = taras_client(personas, "Riley Risk")
    record(client, 0, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1))
    for page in ("/staff/", "/staff/schedule/"):
        assert "Needs your attention today" in tara.get(page).content.decode()
    records = AuditRecord.objects.filter(what="alerts")
    assert [(r.user, r.client_uuid) for r in records] == [(personas.therapist, client.uuid)] * 2
