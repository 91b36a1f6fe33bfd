"""Practice norms kept as numbered versions, so a signal can name the norms it was computed with:
the rows already there, in the order they were fitted, become versions 1, 2, ..."""

from typing import Any

from django.db import migrations, models


def number_existing(apps: Any, schema_editor: Any) -> None:
    record = apps.get_model("care", "PracticeNormsRecord")
    for version, pk in enumerate(
        record.objects.order_by("fitted_at", "pk").values_list("pk", flat=True), start=1
    ):
        record.objects.filter(pk=pk).update(version=version)


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0011_alert_kinds_low_alliance_no_improvement"),
    ]

    operations = [
        migrations.AddField(
            model_name="practicenormsrecord",
            name="version",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="practicenormsrecord",
            name="version",
            field=models.PositiveIntegerField(unique=True),
        ),
        migrations.AddField(
            model_name="practicenormsrecord",
            name="reason",
            field=models.CharField(blank=True, max_length=200, verbose_name="why it was adopted"),
        ),
        migrations.AlterModelOptions(
            name="practicenormsrecord",
            options={"get_latest_by": "version", "ordering": ["-version"]},
        ),
    ]
