"""The database cache's table (settings.CACHES): made by migrating, so that every
server finds it whatever way the database was set up (Django's
createcachetable; nothing happens when the cache is Redis or memory)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("operations", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
