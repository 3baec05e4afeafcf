"""An instructor's trips never overlap, enforced by PostgreSQL itself
(issue 15, defect 4): an exclusion constraint over a date range per instructor
(btree_gist lets the GiST index compare the instructor's id with "=").

On PostgreSQL only: SQLite has no exclusion constraints; there (and on
PostgreSQL too) ``services.create_trip`` locks the instructor's row before it
checks for an overlap. The constraint is not declared in ``Trip.Meta`` (Django
would create it on SQLite as well), so it lives here, as SQL guarded by vendor.

Trips created twice by the old race (identical instructor, dates, origin,
notes and sessions) are removed first, keeping the oldest, each removal in the
audit trail. Any other overlap cannot be resolved mechanically: the migration
then stops and names the trips to correct.
"""

from django.db import migrations

CONSTRAINT = "training_trip_no_overlap"


def _remove_duplicates_and_check(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from icihub.core import audit

    Trip = apps.get_model("training", "Trip")
    kept: dict[tuple, int] = {}
    duplicates = []
    trips = Trip.objects.order_by("instructor_id", "arrival", "pk").prefetch_related("sessions")
    for trip in trips:
        key = (
            trip.instructor_id,
            trip.arrival,
            trip.departure,
            trip.origin,
            trip.notes,
            tuple(sorted(s.pk for s in trip.sessions.all())),
        )
        if key in kept:
            duplicates.append((trip, kept[key]))
        else:
            kept[key] = trip.pk
    reason = "Duplicate trip removed before the no-overlap constraint (issue 15)"
    # The deletions are audited by the model signals (connected for the
    # historical models too), with this reason; one event sums them up.
    with audit.acting(None, via=audit.VIA_SYSTEM, reason=reason):
        for trip, _original in duplicates:
            trip.sessions.clear()
            trip.delete()
        if duplicates:
            audit.log_event(
                audit.Action.EVENT,
                None,
                message=f"{len(duplicates)} duplicate trips removed",
                data={"removed": {str(t.pk): original for t, original in duplicates}},
            )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.id, b.id, a.instructor_id FROM training_trip a
            JOIN training_trip b ON a.instructor_id = b.instructor_id AND a.id < b.id
             AND a.arrival <= b.departure AND b.arrival <= a.departure
            ORDER BY a.id, b.id
            """
        )
        overlaps = cursor.fetchall()
    if overlaps:
        pairs = ", ".join(f"#{a} and #{b} (instructor #{i})" for a, b, i in overlaps[:20])
        raise RuntimeError(
            "These trips of one instructor overlap; correct or delete one of each pair, then "
            f"migrate again: {pairs}"
        )


def _btree_gist(apps, schema_editor):
    # A trusted extension (PostgreSQL 13+): the schema owner may create it. Not
    # dropped on the way back: other objects may use it by then.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")


def _add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE training_trip ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(instructor_id WITH =, daterange(arrival, departure, '[]') WITH &&)"
    )


def _drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE training_trip DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_participant_anonymised_at"),
        ("core", "0005_installation"),
    ]

    operations = [
        migrations.RunPython(_btree_gist, migrations.RunPython.noop),
        migrations.RunPython(_remove_duplicates_and_check, migrations.RunPython.noop),
        migrations.RunPython(_add_constraint, _drop_constraint),
    ]
