# Care's records point at the client record in its new app, and care no longer holds it
# (clients 0001). Only Django's picture changes: columns, rows and constraints stay.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0012_norms_versions"),
        ("clients", "0001_initial"),
        ("booking", "0018_client_in_clients_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="episode",
                    name="client",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="episodes", to="clients.client"),
                ),
                migrations.AlterField(
                    model_name="response",
                    name="client",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="responses", to="clients.client"),
                ),
                migrations.AlterField(
                    model_name="alert",
                    name="client",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="alerts", to="clients.client"),
                ),
                migrations.AlterField(
                    model_name="refusedresponse",
                    name="client",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="refused_responses", to="clients.client"),
                ),
                migrations.AlterField(
                    model_name="signalrecord",
                    name="client",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="signals", to="clients.client"),
                ),
                migrations.DeleteModel(name="Client"),
            ],
            database_operations=[],
        ),
    ]
