# The table takes the outbox's name, now that booking 0020 has left it only outbox columns.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("booking", "0020_message_to_outbox"),
    ]

    operations = [
        migrations.AlterModelTable(name="message", table=None),
    ]
