from django.test import Client
from django.urls import reverse

from alliance.booking.models import RequestStatus
from tests.booking.test_inbox import make_request
from tests.conftest import Personas, signed_in


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
