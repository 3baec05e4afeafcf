from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="partnerrequest",
            index=models.Index(fields=["programme", "state"], name="programmes_req_prog_state"),
        ),
    ]
