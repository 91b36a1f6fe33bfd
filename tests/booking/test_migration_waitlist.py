"""Migration 0016 lets an address wait once per therapist: where it waited twice before, the
earliest entry keeps its place and the later ones are withdrawn."""

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps
from django.utils import timezone

from alliance.booking.models import WaitlistEntry

BEFORE = [("booking", "0015_notices_in_the_outbox")]


@pytest.fixture
def old_schema(transactional_db: None) -> Iterator[StateApps]:
    """The database as it was before 0016; migrated forward again afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_it_keeps_the_earliest_of_an_addresss_waiting_entries(old_schema: StateApps) -> None:
    now = timezone.now()
    OldEntry = old_schema.get_model("booking", "WaitlistEntry")
    Therapist = old_schema.get_model("practice", "Therapist")
    bo = Therapist.objects.create(slug="bo", name="Bo", bio="Hi")
    cy = Therapist.objects.create(slug="cy", name="Cy", bio="Hi")
    consultation = old_schema.get_model("booking", "AppointmentType").objects.create(
        slug="old-consultation", name="Consultation", duration_minutes=15
    )

    def entry(name: str, therapist: object, email: str, hours_ago: int) -> None:
        OldEntry.objects.create(
            therapist=therapist,
            appointment_type=consultation,
            name=name,
            email=email,
            submission_token=uuid.uuid4(),
            created_at=now - timedelta(hours=hours_ago),
        )

    entry("first", bo, "ada@example.com", 3)
    entry("second", bo, "ADA@example.com", 2)
    entry("with cy", cy, "ada@example.com", 1)
    entry("ben", bo, "ben@example.com", 1)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert dict(WaitlistEntry.objects.values_list("name", "status")) == {
        "first": "waiting",
        "second": "withdrawn",
        "with cy": "waiting",
        "ben": "waiting",
    }
