# The table takes the outbox's name, now that booking 0020 has left it only outbox columns, and
# the content type follows (as the client's did, clients 0002).

from django.db import migrations

from alliance.lib.content_types import content_type_move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("outbox", "0001_initial"),
        ("booking", "0020_message_to_outbox"),
    ]

    operations = [
        migrations.AlterModelTable(name="message", table=None),
        migrations.RunPython(*content_type_move("message", old="booking", new="outbox")),
    ]
