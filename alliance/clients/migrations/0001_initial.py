# The client record moves from care to its own app, below booking and care, which both need it.
# Only Django's picture of the models changes here; the table and every row stay where they are
# until 0002 renames it.

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("practice", "0008_former_addresses"),
        ("care", "0012_norms_versions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Client",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("name", models.CharField(max_length=120)),
                        (
                            "email",
                            models.EmailField(blank=True, max_length=254, verbose_name="e-mail"),
                        ),
                        ("phone", models.CharField(blank=True, max_length=40)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("erased_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        (
                            "therapist",
                            models.ForeignKey(
                                blank=True,
                                help_text="The treating therapist, once there is one.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="clients",
                                to="practice.therapist",
                            ),
                        ),
                    ],
                    options={"ordering": ["name"], "db_table": "care_client"},
                ),
            ],
            database_operations=[],
        ),
    ]
