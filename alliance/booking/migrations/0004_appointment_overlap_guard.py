"""No two active appointments of one therapist may overlap, whatever writes the row.

PostgreSQL: an exclusion constraint over (therapist, [start, blocked_until)) with btree_gist.
SQLite: triggers that abort an insert or update creating an overlap. Writes on SQLite also run in
IMMEDIATE transactions (settings.py), so the check in services and the insert are serialised.
"""

from django.db import migrations

ACTIVE = "('proposed', 'pending', 'booked', 'arrived', 'fulfilled', 'noshow')"

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""
    ALTER TABLE booking_appointment ADD CONSTRAINT appointment_no_overlap
    EXCLUDE USING gist (
        therapist_id WITH =,
        tstzrange(start, blocked_until, '[)') WITH &&
    ) WHERE (status IN {ACTIVE})
    """,
]
POSTGRES_BACKWARD = ["ALTER TABLE booking_appointment DROP CONSTRAINT appointment_no_overlap"]

SQLITE_CHECK = f"""
    WHEN NEW.status IN {ACTIVE} AND EXISTS (
        SELECT 1 FROM booking_appointment AS other
        WHERE other.therapist_id = NEW.therapist_id
          AND other.id IS NOT NEW.id
          AND other.status IN {ACTIVE}
          AND other.start < NEW.blocked_until
          AND NEW.start < other.blocked_until
    )
    BEGIN
        SELECT RAISE(ABORT, 'appointment_no_overlap');
    END
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER appointment_no_overlap_insert BEFORE INSERT ON booking_appointment {SQLITE_CHECK}",
    f"CREATE TRIGGER appointment_no_overlap_update BEFORE UPDATE ON booking_appointment {SQLITE_CHECK}",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER appointment_no_overlap_insert",
    "DROP TRIGGER appointment_no_overlap_update",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("booking", "0003_appointment_client_appointment_created_by_and_more")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
