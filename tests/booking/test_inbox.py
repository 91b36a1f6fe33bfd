import uuid
from datetime import timedelta

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.booking.models import ConsultationRequest, RequestStatus
from alliance.practice.models import Therapist
from tests.conftest import Personas, signed_in

INBOX = reverse("booking:inbox")


def make_request(
    name: str, therapist: Therapist | None = None, **fields: object
) -> ConsultationRequest:
    defaults: dict[str, object] = {
        "email": f"{name.lower()}@example.com",
        "preferred_contact": "email",
        "consent": True,
        "created_at": timezone.now(),
    }
    defaults.update(fields)
    return ConsultationRequest.objects.create(
        name=name, therapist=therapist, submission_token=uuid.uuid4(), **defaults
    )


def test_the_front_desk_sees_every_new_request(personas: Personas) -> None:
    make_request("Avery", personas.tara)
    make_request("Blake")
    make_request("Casey", status=RequestStatus.CLOSED, first_response_at=timezone.now())
    page = signed_in(personas.frontdesk).get(INBOX).content.decode()
    assert "Avery" in page
    assert "Blake" in page
    assert "Casey" not in page  # closed, on its own tab
    assert "Help me choose" in page


def test_the_status_tabs_filter_and_count(personas: Personas) -> None:
    make_request("Avery")
    make_request("Casey", status=RequestStatus.CLOSED, first_response_at=timezone.now())
    client = signed_in(personas.owner)
    closed = client.get(INBOX, {"status": "closed"})
    assert [item.name for item in closed.context["requests"]] == ["Casey"]
    everything = client.get(INBOX, {"status": "all"})
    assert {item.name for item in everything.context["requests"]} == {"Avery", "Casey"}
    assert everything.context["total"] == 2
    nonsense = client.get(INBOX, {"status": "<script>"})
    assert nonsense.status_code == 200
    assert nonsense.context["status"] == "new"


def test_a_therapist_sees_only_requests_addressed_to_them(personas: Personas) -> None:
    make_request("ForTara", personas.tara)
    make_request("ForTheo", personas.theo)
    make_request("Undecided")
    page = signed_in(personas.therapist).get(INBOX).content.decode()
    assert "ForTara" in page
    assert "ForTheo" not in page
    assert "Undecided" not in page


def test_it_shows_time_to_first_response(personas: Personas) -> None:
    # The morning US clocks go forward: 2:00 AM EST becomes 3:00 AM EDT (07:00 UTC).
    with time_machine.travel("2026-03-08 12:00 +00:00", tick=False):
        received = timezone.now()
        make_request(
            "Avery",
            status=RequestStatus.CONTACTED,
            created_at=received - timedelta(hours=3),
            first_response_at=received - timedelta(minutes=50),
        )
        make_request("Blake", created_at=received - timedelta(hours=5, minutes=30))
        client = signed_in(personas.frontdesk)
        contacted = client.get(INBOX, {"status": "contacted"}).content.decode()
        waiting = client.get(INBOX).content.decode()
    assert "after 2 h 10 min" in contacted
    assert "Median time to first response, last 30 days: <strong>2 h 10 min</strong>" in contacted
    assert "waiting 5\xa0hours, 30\xa0minutes" in waiting
    # Shown in the practice's zone with the zone printed, on both sides of the change.
    assert "Sun 8 Mar, 1:30 AM EST" in waiting
    assert "Sun 8 Mar, 5:00 AM EDT" in contacted


def test_its_query_count_does_not_grow_with_the_requests(personas: Personas) -> None:
    client = signed_in(personas.frontdesk)
    for index in range(3):
        make_request(f"Person{index}", personas.tara)
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX)
    for index in range(30):
        make_request(f"More{index}", personas.theo)
    with CaptureQueriesContext(connection) as many:
        client.get(INBOX)
    assert len(many) == len(few)


def test_the_inbox_refuses_strangers(personas: Personas) -> None:
    assert Client().get(INBOX).status_code == 302
    assert signed_in(personas.client).get(INBOX).status_code == 403
