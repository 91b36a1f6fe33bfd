# What a booking message is about moves from booking_message (which becomes outbox.Message) to
# its own table, one row per message with the same id: created here and filled from the old
# columns, which 0020 then drops.

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

LINKS = (
    "appointment_id",
    "waitlist_offer_id",
    "consultation_request_id",
    "pending_booking_id",
    "waitlist_entry_id",
)


def links_copy(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    columns = ", ".join(LINKS)
    about = " OR ".join(f"{column} IS NOT NULL" for column in LINKS)
    schema_editor.execute(
        f"INSERT INTO booking_bookingmessage (message_id, {columns}, hours_before, format_changed)"
        f" SELECT id, {columns}, hours_before, format_changed FROM booking_message WHERE {about}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0018_client_in_clients_app"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="BookingMessage",
            fields=[
                (
                    "message",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="outbox.message",
                    ),
                ),
                ("hours_before", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("format_changed", models.BooleanField(default=False)),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="booking.appointment",
                    ),
                ),
                (
                    "consultation_request",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="booking.consultationrequest",
                    ),
                ),
                (
                    "pending_booking",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="booking.pendingbooking",
                    ),
                ),
                (
                    "waitlist_entry",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="booking.waitlistentry",
                    ),
                ),
                (
                    "waitlist_offer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="booking.waitlistoffer",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("appointment__isnull", False),
                            ("waitlist_offer__isnull", False),
                            ("consultation_request__isnull", False),
                            ("pending_booking__isnull", False),
                            ("waitlist_entry__isnull", False),
                            _connector="OR",
                        ),
                        name="booking_message_is_about_something",
                    )
                ],
            },
            bases=("outbox.message",),
        ),
        # Backwards, 0020 puts the links back into booking_message before this table goes.
        migrations.RunPython(links_copy, migrations.RunPython.noop),
    ]
