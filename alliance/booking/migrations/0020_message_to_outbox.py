# booking_message keeps only what every message has; it is outbox.Message from here on (outbox
# 0001 and 0002). What each message is about is now in booking_bookingmessage (0019) and
# care_alertmessage (care 0014), so those columns go.

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

BOOKING = (
    "appointment_id",
    "waitlist_offer_id",
    "consultation_request_id",
    "pending_booking_id",
    "waitlist_entry_id",
    "hours_before",
    "format_changed",
)


def links_restore(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Backwards: fill the columns again from the tables that took them over."""
    for table, columns in (("booking_bookingmessage", BOOKING), ("care_alertmessage", ["alert_id"])):
        values = ", ".join(
            f"{column} = (SELECT link.{column} FROM {table} link"
            f" WHERE link.message_id = booking_message.id)"
            for column in columns
        )
        schema_editor.execute(
            f"UPDATE booking_message SET {values} WHERE id IN (SELECT message_id FROM {table})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0019_booking_message_links"),
        ("care", "0014_alert_messages"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="message", name="message_is_about_something"),
        # Here so that, backwards, it runs once the columns are back and before the constraint.
        migrations.RunPython(migrations.RunPython.noop, links_restore),
        migrations.RemoveField(model_name="message", name="alert"),
        migrations.RemoveField(model_name="message", name="appointment"),
        migrations.RemoveField(model_name="message", name="consultation_request"),
        migrations.RemoveField(model_name="message", name="pending_booking"),
        migrations.RemoveField(model_name="message", name="waitlist_entry"),
        migrations.RemoveField(model_name="message", name="waitlist_offer"),
        migrations.RemoveField(model_name="message", name="hours_before"),
        migrations.RemoveField(model_name="message", name="format_changed"),
        # The table stays, as outbox.Message.
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("Message")]),
    ]
