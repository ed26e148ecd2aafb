"""Stage ratings (issue 13, seed 002 二(三)): an evaluation may rate one stage (环节) of
its handling. The current-rating uniqueness becomes one per handling as a whole (stage
null, as every rating so far) plus one per stage; the stage ratings of a period get a small
partial index for the statistics' breakdown by stage."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluations', '0006_devices_and_legacy_import'),
        ('handlings', '0009_handling_stages'),
    ]

    operations = [
        migrations.AddField(
            model_name='evaluation',
            name='stage',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='evaluations', to='handlings.handlingstage', verbose_name='评价环节'),
        ),
        migrations.AddIndex(
            model_name='evaluation',
            index=models.Index(condition=models.Q(('stage__isnull', False)), fields=['created_at'], name='evaluation_stage_day'),
        ),
        migrations.RemoveConstraint(
            model_name='evaluation',
            name='one_current_evaluation',
        ),
        migrations.AddConstraint(
            model_name='evaluation',
            constraint=models.UniqueConstraint(condition=models.Q(('is_current', True), ('stage__isnull', True)), fields=('handling',), name='one_current_evaluation'),
        ),
        migrations.AddConstraint(
            model_name='evaluation',
            constraint=models.UniqueConstraint(condition=models.Q(('is_current', True), ('stage__isnull', False)), fields=('stage',), name='one_current_stage_evaluation'),
        ),
    ]
