"""The privacy-notice version stored with each rating (issue 17, core.privacy).

Ratings stored before get ``unknown``: added as a column default (no UPDATE, which the
insert-only guard would refuse), then every insert must name it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0008_insert_only_guard"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluation",
            name="notice_version",
            field=models.CharField(default="unknown", max_length=16, verbose_name="隐私告知版本"),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="evaluation",
            constraint=models.CheckConstraint(condition=models.Q(("notice_version", ""), _negated=True),
                                              name="evaluation_notice_version_set"),
        ),
    ]
