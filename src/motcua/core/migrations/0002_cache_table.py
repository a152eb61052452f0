"""The database cache's table (settings.CACHES), so that `migrate` alone prepares a new installation: the
throttles of docs/security.md count there, shared by every worker process."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Creates the table of every DatabaseCache in settings.CACHES (none when tests use locmem); idempotent.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
