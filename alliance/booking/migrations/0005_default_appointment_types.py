# A frozen copy of alliance/booking/defaults.py as it was: migrations must not change when
# the code they once ran against does.
from django.db import migrations

DEFAULTS = [
    # slug, name, minutes, buffer, public, clients, free
    ("consultation", "Free 15-minute consultation", 15, 5, True, False, True),
    ("intake", "First session (intake)", 60, 10, False, False, False),
    ("session", "Session", 50, 10, False, True, False),
]


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    appointment_type = apps.get_model("booking", "AppointmentType")
    for slug, name, minutes, buffer, public, clients, free in DEFAULTS:
        appointment_type.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "duration_minutes": minutes,
                "buffer_after_minutes": buffer,
                "bookable_by_public": public,
                "bookable_by_clients": clients,
                "is_free": free,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("booking", "0004_appointment_overlap_guard")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
