# With every reference moved (booking 0018, care 0013), the table takes its app's name, and the
# content type follows, so the admin's history and the permissions keep pointing at it.

from django.db import migrations

from alliance.lib.content_types import content_type_move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("clients", "0001_initial"),
        ("booking", "0018_client_in_clients_app"),
        ("care", "0013_client_in_clients_app"),
    ]

    operations = [
        migrations.AlterModelTable(name="client", table=None),
        migrations.RunPython(*content_type_move("client", old="care", new="clients")),
    ]
