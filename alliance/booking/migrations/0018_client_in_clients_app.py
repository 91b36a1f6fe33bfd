# Appointments and pending bookings point at the client record in its new app (clients 0001);
# the column and its data are unchanged.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0017_message_format_changed"),
        ("clients", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="appointment",
                    name="client",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="appointments", to="clients.client"),
                ),
                migrations.AlterField(
                    model_name="pendingbooking",
                    name="client",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="clients.client"),
                ),
            ],
            database_operations=[],
        ),
    ]
