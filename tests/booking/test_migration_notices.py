"""Migration 0015 moves the notices' delivery from two columns into the outbox without losing
what those columns knew: notices sent stay sent; notices owed are queued."""

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps
from django.utils import timezone

from alliance.booking.models import BookingMessage, ConsultationRequest, PendingBooking
from alliance.outbox.models import MessageStatus

BEFORE = [("booking", "0014_pending_booking")]


@pytest.fixture
def old_schema(transactional_db: None) -> Iterator[StateApps]:
    """The database as it was before 0015; migrated forward again afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_it_carries_over_the_notices_sent_and_queues_those_owed(old_schema: StateApps) -> None:
    now = timezone.now()
    OldRequest = old_schema.get_model("booking", "ConsultationRequest")
    OldPending = old_schema.get_model("booking", "PendingBooking")
    therapist = old_schema.get_model("practice", "Therapist").objects.create(
        slug="bo", name="Bo", bio="Hi"
    )
    session = old_schema.get_model("booking", "AppointmentType").objects.create(
        slug="old-session", name="Session", duration_minutes=50
    )

    def request(name: str, **fields: object) -> uuid.UUID:
        row = OldRequest.objects.create(
            submission_token=uuid.uuid4(),
            name=name,
            email=f"{name}@example.com",
            preferred_contact="email",
            consent=True,
            created_at=now - timedelta(hours=2),
            **fields,
        )
        return row.uuid  # type: ignore[no-any-return]

    def pending(key: str, **fields: object) -> uuid.UUID:
        row = OldPending.objects.create(
            therapist=therapist,
            appointment_type=session,
            email=f"{key}@example.com",
            format="telehealth",
            submission_key=key,
            **fields,
        )
        return row.uuid  # type: ignore[no-any-return]

    told_at = now - timedelta(hours=1)
    told = request("told", notified_at=told_at)
    untold = request("untold")
    answered_late = request(
        "answered", status="contacted", first_response_at=now - timedelta(minutes=5)
    )
    unanswered = pending("unanswered", start=now + timedelta(days=2))
    emailed = pending("emailed", start=now + timedelta(days=2), emailed_at=now)
    past = pending("past", start=now - timedelta(hours=1))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    sent = BookingMessage.objects.get(consultation_request__uuid=told)
    assert (sent.status, sent.sent_at) == (MessageStatus.SENT, told_at)
    queued = BookingMessage.objects.get(consultation_request__uuid=untold)
    assert queued.status == MessageStatus.QUEUED
    assert not BookingMessage.objects.filter(consultation_request__uuid=answered_late).exists()
    assert (
        BookingMessage.objects.get(pending_booking__uuid=unanswered).status == MessageStatus.QUEUED
    )
    assert not BookingMessage.objects.filter(pending_booking__uuid__in=[emailed, past]).exists()
    assert ConsultationRequest.objects.count() == 3
    assert PendingBooking.objects.count() == 3
