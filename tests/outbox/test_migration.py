"""Moving Message into the outbox (booking 0019-0020, care 0014, outbox 0001-0002) keeps every
message, with what it is about: written with the models as they were, read with today's. Run
it on SQLite and, with DATABASE_URL, on PostgreSQL."""

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps
from django.utils import timezone

from alliance.booking.models import BookingMessage
from alliance.care.models import AlertMessage
from alliance.outbox.models import Message


def _before() -> list[tuple[str, str | None]]:
    """The state just before the move: each app at the migration the move follows."""
    graph = MigrationExecutor(connection).loader.graph

    def parent(app: str, name: str) -> tuple[str, str]:
        node = next(node for node in graph.node_map[(app, name)].parents if node.key[0] == app)
        return (node.key[0], node.key[1])

    return [
        parent("booking", "0019_booking_message_links"),
        parent("care", "0014_alert_messages"),
        ("clients", "0002_rename_table"),  # in the state too: the table is clients_client by then
        ("outbox", None),
    ]


def _migrate(targets: list[tuple[str, str | None]]) -> StateApps:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    nodes = [(app, name) for app, name in targets if name is not None]  # None: none of the app's
    return MigrationExecutor(connection).loader.project_state(nodes).apps


def _latest() -> list[tuple[str, str | None]]:
    return [(app, name) for app, name in MigrationExecutor(connection).loader.graph.leaf_nodes()]


@pytest.fixture
def old_schema(transactional_db: None) -> Iterator[StateApps]:
    """The database as it was before the move; migrated forward again afterwards."""
    try:
        yield _migrate(_before())
    finally:
        _migrate(_latest())


def _old_rows(old: StateApps) -> dict[str, Any]:
    """One message about each kind of thing, each with its own status and attempts."""
    now = timezone.now().replace(microsecond=0)
    start = now + timedelta(days=3)
    Appointment = old.get_model("booking", "Appointment")
    Client = Appointment._meta.get_field("client").related_model
    therapist = old.get_model("practice", "Therapist").objects.create(
        slug="bo", name="Bo", bio="Hi"
    )
    session = old.get_model("booking", "AppointmentType").objects.create(
        slug="old-session", name="Session", duration_minutes=50
    )
    client = Client.objects.create(name="Casey", email="casey@example.com", therapist=therapist)
    appointment = Appointment.objects.create(
        therapist=therapist,
        client=client,
        appointment_type=session,
        format="in_person",
        start=start,
        end=start + timedelta(minutes=50),
        blocked_until=start + timedelta(minutes=50),
    )
    entry = old.get_model("booking", "WaitlistEntry").objects.create(
        therapist=therapist,
        appointment_type=session,
        name="Wren",
        email="wren@example.com",
        submission_token=uuid.uuid4(),
    )
    offer = old.get_model("booking", "WaitlistOffer").objects.create(entry=entry, start=start)
    request = old.get_model("booking", "ConsultationRequest").objects.create(
        submission_token=uuid.uuid4(),
        name="Robin",
        email="robin@example.com",
        preferred_contact="email",
        consent=True,
        created_at=now,
    )
    pending = old.get_model("booking", "PendingBooking").objects.create(
        therapist=therapist,
        appointment_type=session,
        email="pat@example.com",
        start=start,
        format="telehealth",
        submission_key="k",
    )
    alert = old.get_model("care", "Alert").objects.create(
        kind="risk", client=client, therapist=therapist
    )
    owner = old.get_model("accounts", "User").objects.create(
        email="olivia@example.com", full_name="Olivia Owner", role="owner"
    )
    OldMessage = old.get_model("booking", "Message")

    def message(kind: str, status: str, attempts: int, **about: object) -> uuid.UUID:
        row = OldMessage.objects.create(
            kind=kind,
            status=status,
            attempts=attempts,
            send_after=now,
            next_attempt_at=now + timedelta(minutes=attempts),
            sent_at=now if status == "sent" else None,
            last_error="SMTPDataError 451" if status == "retrying" else "",
            **about,
        )
        return row.uuid  # type: ignore[no-any-return]

    return {
        "now": now,
        "subjects": {
            "appointment": appointment.uuid,
            "waitlist_offer": offer.uuid,
            "waitlist_entry": entry.uuid,
            "consultation_request": request.uuid,
            "pending_booking": pending.uuid,
            "alert": alert.uuid,
        },
        "messages": {
            message("confirmation", "sent", 1, appointment=appointment): (
                "appointment",
                "confirmation",
                "sent",
                1,
            ),
            message("reminder", "queued", 0, appointment=appointment, hours_before=24): (
                "appointment",
                "reminder",
                "queued",
                0,
            ),
            message("rescheduled", "retrying", 2, appointment=appointment, format_changed=True): (
                "appointment",
                "rescheduled",
                "retrying",
                2,
            ),
            message("waitlist_offer", "cancelled", 0, waitlist_offer=offer): (
                "waitlist_offer",
                "waitlist_offer",
                "cancelled",
                0,
            ),
            message("waitlist_joined", "sent", 1, waitlist_entry=entry): (
                "waitlist_entry",
                "waitlist_joined",
                "sent",
                1,
            ),
            message("request_notice", "failed", 6, consultation_request=request): (
                "consultation_request",
                "request_notice",
                "failed",
                6,
            ),
            message("pending_booking", "sending", 1, pending_booking=pending): (
                "pending_booking",
                "pending_booking",
                "sending",
                1,
            ),
            message("risk_alert", "queued", 0, alert=alert, recipient=owner): (
                "alert",
                "risk_alert",
                "queued",
                0,
            ),
        },
    }


def test_every_message_keeps_its_state_and_what_it_is_about(old_schema: StateApps) -> None:
    old = _old_rows(old_schema)
    ids = dict(old_schema.get_model("booking", "Message").objects.values_list("uuid", "pk"))

    _migrate(_latest())

    assert Message.objects.count() == len(old["messages"]) == 8
    for key, (about, kind, status, attempts) in old["messages"].items():
        message = Message.objects.get(uuid=key)
        assert message.pk == ids[key]
        assert (message.kind, message.status, message.attempts) == (kind, status, attempts)
        assert message.send_after == old["now"]
        assert message.next_attempt_at == old["now"] + timedelta(minutes=attempts)
        assert message.sent_at == (old["now"] if status == "sent" else None)
        assert message.last_error == ("SMTPDataError 451" if status == "retrying" else "")
        if about == "alert":
            linked = AlertMessage.objects.get(pk=message.pk)
            assert linked.alert.uuid == old["subjects"]["alert"]
            assert linked.recipient is not None
            assert linked.recipient.email == "olivia@example.com"
            assert not BookingMessage.objects.filter(pk=message.pk).exists()
            continue
        booking = BookingMessage.objects.get(pk=message.pk)
        assert getattr(booking, about).uuid == old["subjects"][about]
        others = {"appointment", "waitlist_offer", "waitlist_entry"} - {about}
        others |= {"consultation_request", "pending_booking"} - {about}
        assert all(getattr(booking, f"{other}_id") is None for other in others)
        assert booking.recipient is None
        assert booking.hours_before == (24 if kind == "reminder" else None)
        assert booking.format_changed is (kind == "rescheduled")
        assert not AlertMessage.objects.filter(pk=message.pk).exists()


def test_migrating_back_puts_each_link_in_its_old_column(old_schema: StateApps) -> None:
    old = _old_rows(old_schema)
    _migrate(_latest())

    again = _migrate(_before())

    rows = {
        row.uuid: row
        for row in again.get_model("booking", "Message").objects.select_related(
            "appointment",
            "waitlist_offer",
            "waitlist_entry",
            "consultation_request",
            "pending_booking",
            "alert",
        )
    }
    assert rows.keys() == old["messages"].keys()
    for key, (about, kind, status, attempts) in old["messages"].items():
        row = rows[key]
        assert (row.kind, row.status, row.attempts) == (kind, status, attempts)
        assert getattr(row, about).uuid == old["subjects"][about]
        assert row.hours_before == (24 if kind == "reminder" else None)
        assert row.format_changed is (kind == "rescheduled")
