"""The daily reconciliation (对账, issue 13): a run per (remote, day), a check per (org,
kind) of it. Follows exchange-down's 0003."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_national_standards'),
        ('exchange', '0003_inbound'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReconcileRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='业务日期（北京时间）')),
                ('next_check_at', models.DateTimeField(blank=True, null=True, verbose_name='下次核对')),
                ('checked_at', models.DateTimeField(blank=True, null=True, verbose_name='核对时间')),
                ('runs', models.PositiveIntegerField(default=0, verbose_name='核对次数')),
                ('failures', models.PositiveSmallIntegerField(default=0, verbose_name='连续未能核对次数')),
                ('error', models.TextField(blank=True, verbose_name='未能核对原因')),
                ('has_count_endpoint', models.BooleanField(default=True, verbose_name='平台有对账接口')),
                ('differences', models.PositiveIntegerField(default=0, verbose_name='差异项数')),
                ('unchecked', models.BooleanField(default=False, verbose_name='未能核对')),
                ('resent_at', models.DateTimeField(blank=True, null=True, verbose_name='最近重新上报')),
                ('remote', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='reconcile_runs', to='exchange.remote', verbose_name='对接平台')),
            ],
            options={
                'verbose_name': '对账',
                'verbose_name_plural': '对账',
            },
        ),
        migrations.CreateModel(
            name='ReconcileCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('org_code', models.CharField(blank=True, max_length=40, verbose_name='机构代码')),
                ('kind', models.CharField(choices=[('handling', '办件'), ('rating', '评价'), ('result', '整改情况')], max_length=12, verbose_name='类型')),
                ('sent', models.PositiveIntegerField(default=0, verbose_name='应报')),
                ('acked', models.PositiveIntegerField(default=0, verbose_name='已确认')),
                ('waiting', models.PositiveIntegerField(default=0, verbose_name='待上报')),
                ('failed', models.PositiveIntegerField(default=0, verbose_name='拒收或死信')),
                ('our_digest', models.CharField(blank=True, max_length=64, verbose_name='本地摘要')),
                ('remote_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='平台条数')),
                ('remote_digest', models.CharField(blank=True, max_length=64, verbose_name='平台摘要')),
                ('basis', models.CharField(choices=[('org', '按机构核对'), ('total', '按全部机构合计核对'), ('none', '平台无对账接口，仅核对本地'), ('unasked', '未能询问平台')], max_length=8, verbose_name='核对方式')),
                ('verdict', models.CharField(choices=[('match', '一致'), ('unacked', '本地未全部确认'), ('fewer', '平台少于本地'), ('more', '平台多于本地或不一致'), ('unchecked', '未能核对')], max_length=10, verbose_name='结果')),
                ('missing_keys', models.JSONField(blank=True, null=True, verbose_name='平台缺少的幂等键')),
                ('checked_at', models.DateTimeField(verbose_name='核对时间')),
                ('org', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalog.org', verbose_name='机构')),
                ('run', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='checks', to='exchange.reconcilerun', verbose_name='对账')),
            ],
            options={
                'verbose_name': '对账明细',
                'verbose_name_plural': '对账明细',
            },
        ),
        migrations.AddIndex(
            model_name='reconcilerun',
            index=models.Index(condition=models.Q(('next_check_at__isnull', False)), fields=['next_check_at'], name='exchange_recon_due'),
        ),
        migrations.AddConstraint(
            model_name='reconcilerun',
            constraint=models.UniqueConstraint(fields=('remote', 'day'), name='exchange_recon_run_once'),
        ),
        migrations.AddConstraint(
            model_name='reconcilecheck',
            constraint=models.CheckConstraint(condition=models.Q(('verdict__in', ['match', 'unacked', 'fewer', 'more', 'unchecked'])), name='exchange_recon_verdict_valid'),
        ),
        migrations.AddConstraint(
            model_name='reconcilecheck',
            constraint=models.UniqueConstraint(condition=models.Q(('org__isnull', False)), fields=('run', 'org', 'kind'), name='exchange_recon_once'),
        ),
        migrations.AddConstraint(
            model_name='reconcilecheck',
            constraint=models.UniqueConstraint(condition=models.Q(('org__isnull', True)), fields=('run', 'kind'), name='exchange_recon_rest_once'),
        ),
    ]
