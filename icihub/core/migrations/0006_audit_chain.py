from django.db import migrations, models


def install_guard(apps, schema_editor):
    """The triggers again, now letting the sealer set the chain columns once
    (icihub.core.auditguard); entries already there are sealed by the first
    run of the sealer (icihub.core.auditchain)."""
    from icihub.core import auditguard

    auditguard.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_installation"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(
                blank=True, null=True, unique=True, verbose_name="chain sequence"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="content_hash",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="content hash"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="previous hash"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="hash"),
        ),
        migrations.RunPython(install_guard, migrations.RunPython.noop),
    ]
