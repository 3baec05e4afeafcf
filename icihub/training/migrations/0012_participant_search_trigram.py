"""The people's search (the nomination picker, the participants' list) as a
trigram index on PostgreSQL: ``search_text__icontains`` is
``UPPER(search_text) LIKE UPPER('%term%')``, which no B-tree serves; at 10×
the picker read every participant of the eligible countries (100,000) for each
keystroke (65 ms), the index finds the matches of a term of three letters or
more directly (1-5 ms). A term of two letters has no trigram: it is read as
before.

On PostgreSQL only, and only where pg_trgm can be installed: it is a trusted
extension (PostgreSQL 13+), which the schema owner of the two-role deployment
may create; where it cannot be (an older server, a role without the right, no
contrib package), the index is left out and the search works as before,
slower. The index is not declared in ``Participant.Meta`` (Django would create
it on SQLite as well), so it lives here, as SQL guarded by vendor.
"""

from django.db import DatabaseError, migrations, transaction

INDEX = "training_participant_search_trgm"


def _create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        # a savepoint: a refusal must not abort the migration's transaction
        with transaction.atomic(using=connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return  # no pg_trgm here: the search reads the rows, as before
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON training_participant "
        "USING gin (UPPER(search_text) gin_trgm_ops)"
    )


def _drop(apps, schema_editor):
    # The extension stays (other objects may use it by then).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0011_nominations_recent_and_state_indexes"),
    ]

    operations = [
        migrations.RunPython(_create, _drop),
    ]
