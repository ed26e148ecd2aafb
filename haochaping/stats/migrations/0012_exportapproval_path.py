"""The screen export an approval serves (issue 17: export approval screens)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0011_item_rollups"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportapproval",
            name="path",
            field=models.CharField(blank=True, default="", max_length=1000,
                                   verbose_name="下载地址"),
        ),
    ]
