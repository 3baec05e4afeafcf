"""The database cache's table: made by migrating, so that every server finds it
whatever way the database was set up. ``icihub_cache`` (the default cache's
table, settings.CACHES) is made whatever cache the settings name (a server
set up with Redis or memory may be switched to the database's cache later, and
the tests' memory cache is switched to it by ``icihub.testing.database_cache``,
whose role may not create tables); Django's createcachetable then makes any
other database cache the settings name."""

from django.core.management import call_command
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "icihub_cache"


def create_cache_table(apps, schema_editor):
    alias = schema_editor.connection.alias
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(alias, TABLE, dry_run=False)  # nothing when it exists
    call_command("createcachetable", database=alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("operations", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
