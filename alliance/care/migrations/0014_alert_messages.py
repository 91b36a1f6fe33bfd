# A risk-alert message's alert moves from booking_message.alert_id (booking_message becomes
# outbox.Message) to care's own table, one row per message with the same id; booking 0020 then
# drops the old column.

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def alerts_copy(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(
        "INSERT INTO care_alertmessage (message_id, alert_id)"
        " SELECT id, alert_id FROM booking_message WHERE alert_id IS NOT NULL"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0013_client_in_clients_app"),
        ("booking", "0018_client_in_clients_app"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AlertMessage",
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
                (
                    "alert",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="care.alert",
                    ),
                ),
            ],
            bases=("outbox.message",),
        ),
        # Backwards, booking 0020 puts the alerts back into booking_message before this goes.
        migrations.RunPython(alerts_copy, migrations.RunPython.noop),
    ]
