from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The booking rate limit counts in Django's database cache (settings.CACHES), so every
    # process shares one count without a cache server. createcachetable skips existing tables.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
