"""Dirty buckets recorded by database triggers in the writing transaction (issue 12).

The incremental roll-up stops reading change timestamps since a watermark (a row stamped
before the watermark but committed after it could be missed with several workers): the
triggers of ``haochaping.stats.triggers`` record each changed (day, org) bucket in
``stats_dirtybucket``. Changes made between the last watermark run and this migration
left no dirty row, so the watermark is cleared: the first tick afterwards rebuilds every
roll-up, as on a first installation.
"""

from django.db import migrations, models

from haochaping.stats import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)
    apps.get_model("stats", "RollupState").objects.update(watermark=None)


def remove(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('stats', '0007_ranking_snapshot'),
        ('evaluations', '0005_batch_invitation_client'),
        ('handlings', '0008_handling_moves'),
        ('workorders', '0004_changed_since_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='DirtyBucket',
            fields=[
                ('pk', models.CompositePrimaryKey('day', 'org_id', 'writer', blank=True, editable=False, primary_key=True, serialize=False)),
                ('day', models.DateField(verbose_name='日期（北京时间）')),
                ('org_id', models.BigIntegerField(verbose_name='机构ID')),
                ('writer', models.BigIntegerField(verbose_name='写入事务')),
            ],
            options={
                'verbose_name': '待重算汇总桶',
                'verbose_name_plural': '待重算汇总桶',
            },
        ),
        migrations.RunPython(install, remove),
    ]
