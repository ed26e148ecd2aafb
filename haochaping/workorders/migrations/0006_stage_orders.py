"""Work orders of stage ratings (issue 13): a bad rating of one stage (环节) of a handling
opens its own order, beside the order of the handling as a whole; one open order per
handling becomes one per handling as a whole plus one per stage."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('handlings', '0009_handling_stages'),
        ('workorders', '0005_order_requests'),
    ]

    operations = [
        migrations.AddField(
            model_name='workorder',
            name='stage',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='handlings.handlingstage', verbose_name='评价环节'),
        ),
        migrations.RemoveConstraint(
            model_name='workorder',
            name='workorder_one_open_per_handling',
        ),
        migrations.AddConstraint(
            model_name='workorder',
            constraint=models.UniqueConstraint(condition=models.Q(('stage__isnull', True), ('status__in', ['dispatched', 'signed', 'replied', 'returned', 'appealing'])), fields=('handling', 'kind'), name='workorder_one_open_per_handling'),
        ),
        migrations.AddConstraint(
            model_name='workorder',
            constraint=models.UniqueConstraint(condition=models.Q(('stage__isnull', False), ('status__in', ['dispatched', 'signed', 'replied', 'returned', 'appealing'])), fields=('stage', 'kind'), name='workorder_one_open_per_stage'),
        ),
    ]
