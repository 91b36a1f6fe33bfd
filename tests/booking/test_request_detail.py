from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from alliance.booking.models import RequestStatus
from alliance.outbox.models import Message
from alliance.outbox.sending import outbox_flush
from tests.booking.test_inbox import make_request
from tests.booking.test_notices import REFUSED, submit
from tests.conftest import Personas, signed_in
from tests.smtp import SmtpServer


def detail_url(request_uuid: object) -> str:
    return reverse("booking:request_detail", kwargs={"request_uuid": request_uuid})


def test_the_front_desk_reads_a_request(personas: Personas) -> None:
    item = make_request("Avery", personas.tara, phone="239-555-0100", message="Work stress")
    page = signed_in(personas.frontdesk).get(detail_url(item.uuid)).content.decode()
    assert "avery@example.com" in page
    assert "239-555-0100" in page
    assert "Work stress" in page


def test_the_named_therapist_may_read_it_and_a_colleague_may_not(personas: Personas) -> None:
    item = make_request("Avery", personas.tara)
    assert signed_in(personas.therapist).get(detail_url(item.uuid)).status_code == 200
    assert signed_in(personas.colleague).get(detail_url(item.uuid)).status_code == 404
    assert signed_in(personas.client).get(detail_url(item.uuid)).status_code == 403
    assert Client().get(detail_url(item.uuid)).status_code == 302


def test_a_colleague_cannot_change_it_either(personas: Personas) -> None:
    item = make_request("Avery", personas.tara)
    response = signed_in(personas.colleague).post(
        detail_url(item.uuid), {"status": "closed", "staff_note": ""}
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == RequestStatus.NEW


def test_the_first_move_from_new_is_the_first_response(personas: Personas) -> None:
    item = make_request("Avery")
    client = signed_in(personas.frontdesk)
    response = client.post(
        detail_url(item.uuid), {"status": "contacted", "staff_note": "Left a voicemail"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RequestStatus.CONTACTED
    assert item.first_response_by == personas.frontdesk
    first = item.first_response_at
    assert first is not None
    client.post(detail_url(item.uuid), {"status": "scheduled", "staff_note": "Thu 3pm"})
    item.refresh_from_db()
    assert item.first_response_at == first
    assert item.staff_note == "Thu 3pm"


def test_it_refuses_an_unknown_status(personas: Personas) -> None:
    item = make_request("Avery")
    response = signed_in(personas.frontdesk).post(
        detail_url(item.uuid), {"status": "vanished", "staff_note": "kept"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "kept" in response.content.decode()


def test_going_back_to_new_after_a_response_is_refused(personas: Personas) -> None:
    item = make_request("Avery")
    client = signed_in(personas.frontdesk)
    client.post(detail_url(item.uuid), {"status": "contacted", "staff_note": ""})
    response = client.post(detail_url(item.uuid), {"status": "new", "staff_note": ""})
    assert response.status_code == 200
    assert "already had a first response" in response.content.decode()
    item.refresh_from_db()
    assert item.status == RequestStatus.CONTACTED


def test_it_shows_whether_the_front_desk_was_told(personas: Personas, settings: Settings) -> None:
    item = submit()
    client = signed_in(personas.frontdesk)
    delivery = '<span class="status status--msg-{}">{}</span>'
    assert delivery.format("queued", "Queued") in client.get(detail_url(item.uuid)).content.decode()
    settings.MAILERS = REFUSED
    moment = timezone.now()
    for _ in range(5):
        outbox_flush(now=moment)
        moment = Message.objects.get().next_attempt_at + timedelta(seconds=1)
    page = client.get(detail_url(item.uuid)).content.decode()
    assert delivery.format("retrying", "Failed, will retry") in page
    assert "ConnectionRefusedError" in page
    assert '<td data-label="Tries">5</td>' in page
    outbox_flush(now=moment)  # the sixth and last try
    page = client.get(detail_url(item.uuid)).content.decode()
    assert delivery.format("failed", "Failed") in page
    assert '<td data-label="Tries">6</td>' in page


def test_it_shows_when_the_notice_was_sent(
    personas: Personas, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    item = submit()
    outbox_flush()
    assert len(smtp_server.messages) == 1
    page = signed_in(personas.frontdesk).get(detail_url(item.uuid)).content.decode()
    assert "New request notice, to the front desk" in page
    assert '<span class="status status--msg-sent">Sent</span>' in page
