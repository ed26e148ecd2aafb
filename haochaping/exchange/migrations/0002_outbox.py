"""The upward outbox (issue 13): its rows, the routes the triggers read, the per-remote
circuit breaker, and the triggers of ``haochaping.exchange.triggers`` that write the
outbox in the writer's transaction. Nothing written before this migration gets a row:
补报 (``haochaping exchange resend``) creates them on demand."""

import django.db.models.deletion
from django.db import migrations, models

from haochaping.exchange import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_national_standards'),
        ('exchange', '0001_remotes_and_profiles'),
        ('evaluations', '0005_batch_invitation_client'),
        ('handlings', '0008_handling_moves'),
        ('workorders', '0004_changed_since_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='RemoteBreaker',
            fields=[
                ('remote', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='breaker', serialize=False, to='exchange.remote', verbose_name='对接平台')),
                ('state', models.CharField(choices=[('closed', '正常'), ('open', '熔断（暂停上报）'), ('half_open', '试探恢复中')], default='closed', max_length=10, verbose_name='状态')),
                ('failures', models.PositiveIntegerField(default=0, verbose_name='连续失败次数')),
                ('opened_at', models.DateTimeField(blank=True, null=True, verbose_name='熔断时间')),
                ('probe_until', models.DateTimeField(blank=True, null=True, verbose_name='试探截止')),
                ('updated_at', models.DateTimeField(blank=True, null=True, verbose_name='更新时间')),
            ],
            options={
                'verbose_name': '熔断状态',
                'verbose_name_plural': '熔断状态',
                'constraints': [models.CheckConstraint(condition=models.Q(('state__in', ['closed', 'open', 'half_open'])), name='exchange_breaker_state_valid')],
            },
        ),
        migrations.CreateModel(
            name='OutboxRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('handling', '办件'), ('rating', '评价'), ('result', '整改情况')], max_length=12, verbose_name='类型')),
                ('object_id', models.BigIntegerField(verbose_name='对象ID')),
                ('event', models.CharField(choices=[('saved', '新增或变更'), ('invalidated', '作废'), ('closed', '办结')], max_length=12, verbose_name='事件')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                ('record_key', models.CharField(max_length=160, verbose_name='幂等键')),
                ('day', models.DateField(verbose_name='业务日期（北京时间）')),
                ('status', models.CharField(choices=[('pending', '待上报'), ('sending', '上报中'), ('acked', '已确认'), ('refused', '平台拒收'), ('dead', '上报失败（死信）')], default='pending', max_length=8, verbose_name='状态')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='尝试次数')),
                ('next_attempt_at', models.DateTimeField(verbose_name='下次尝试')),
                ('locked_until', models.DateTimeField(blank=True, null=True, verbose_name='租约到期')),
                ('error_code', models.CharField(blank=True, max_length=64, verbose_name='错误代码')),
                ('last_error', models.TextField(blank=True, verbose_name='最近错误')),
                ('created_at', models.DateTimeField(verbose_name='变更时间')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='最近发送')),
                ('acked_at', models.DateTimeField(blank=True, null=True, verbose_name='确认时间')),
                ('org', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalog.org', verbose_name='机构')),
                ('remote', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='outbox', to='exchange.remote', verbose_name='对接平台')),
            ],
            options={
                'verbose_name': '上报记录',
                'verbose_name_plural': '上报记录',
                'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['remote', 'kind', 'next_attempt_at'], name='exchange_outbox_due'), models.Index(condition=models.Q(('status', 'sending')), fields=['locked_until'], name='exchange_outbox_lease'), models.Index(fields=['remote', 'status'], name='exchange_outbox_status'), models.Index(fields=['remote', 'day', 'org'], name='exchange_outbox_day')],
                'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'sending', 'acked', 'refused', 'dead'])), name='exchange_outbox_status_valid'), models.CheckConstraint(condition=models.Q(('kind__in', ['handling', 'rating', 'result'])), name='exchange_outbox_kind_valid'), models.UniqueConstraint(fields=('remote', 'kind', 'object_id', 'event', 'version'), name='exchange_outbox_once')],
            },
        ),
        migrations.CreateModel(
            name='RemoteRoute',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('handling', '办件'), ('rating', '评价'), ('result', '整改情况')], max_length=12, verbose_name='上报类型')),
                ('remote', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='routes', to='exchange.remote', verbose_name='对接平台')),
            ],
            options={
                'verbose_name': '上报路由',
                'verbose_name_plural': '上报路由',
                'constraints': [models.UniqueConstraint(fields=('kind', 'remote'), name='exchange_route_once')],
            },
        ),
        migrations.RunPython(install, remove),
    ]
