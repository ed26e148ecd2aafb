"""The app / mini-program client that filed an item (the API reads a client's own items)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_dept_head_and_monitor_roles'),
        ('complaints', '0002_default_filter_words'),
    ]

    operations = [
        migrations.AddField(
            model_name='submission',
            name='client',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.apiclient', verbose_name='提交的移动端'),
        ),
    ]
