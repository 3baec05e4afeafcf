from django.db import migrations, models


def hash_existing(apps, schema_editor):
    """Give the snapshots already published their content hash, and record it
    in the audit trail (their creation entries predate the hash chain)."""
    from icihub.core.auditchain import snapshot_digest

    Snapshot = apps.get_model("reports", "Snapshot")
    AuditEntry = apps.get_model("core", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    snapshots = list(Snapshot._base_manager.using(db).order_by("year"))
    if not snapshots:
        return
    content_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="reports", model="snapshot"
    )
    for snapshot in snapshots:
        digest = snapshot_digest(snapshot)
        Snapshot._base_manager.using(db).filter(pk=snapshot.pk).update(content_hash=digest)
        AuditEntry._base_manager.using(db).create(
            actor_label="migration",
            via="system",
            action="event",
            content_type=content_type,
            object_id=str(snapshot.pk),
            object_repr=f"Figures of {snapshot.year} as published"[:250],
            changes={"content_hash": digest},
            message="content hash of a published snapshot recorded",
        )


def install_guard(apps, schema_editor):
    """Triggers refusing UPDATE/DELETE of published snapshots (core.auditguard)."""
    from icihub.core import auditguard

    auditguard.install(schema_editor.connection)


def remove_guard(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS reports_snapshot_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS reports_snapshot_no_delete")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS reports_snapshot_locked ON reports_snapshot")
            cursor.execute(
                "DROP TRIGGER IF EXISTS reports_snapshot_no_truncate ON reports_snapshot"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("core", "0006_audit_chain"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="snapshot",
            name="content_hash",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="content hash"
            ),
        ),
        migrations.RunPython(hash_existing, migrations.RunPython.noop),
        migrations.RunPython(install_guard, remove_guard),
    ]
