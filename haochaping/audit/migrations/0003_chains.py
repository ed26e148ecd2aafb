"""Several hash chains instead of one (issue 12): concurrent writers append side by side.

Every existing row becomes chain 0 with its ``seq``, ``prev_hash`` and ``hash`` as they
are; chain 0 rows hash exactly as before (``services.event_content`` adds the chain to
the hashed content from chain 1 on), so ``audit verify`` passes on a log written by the
old code and then the new. ``seq`` is unique per chain now. The append-only triggers are
lifted around the schema change — SQLite re-creates the table to change it, which would
drop them — and installed again; no row is updated (the new column's default is filled by
the table copy on SQLite, by the column default on PostgreSQL).
"""

from django.db import migrations, models

from haochaping.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_triggers'),
    ]

    operations = [
        migrations.RunPython(remove, install),
        migrations.AlterModelOptions(
            name='auditevent',
            options={'ordering': ['at', 'id'], 'verbose_name': '审计日志', 'verbose_name_plural': '审计日志'},
        ),
        migrations.AddField(
            model_name='auditevent',
            name='chain',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='链'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='seq',
            field=models.BigIntegerField(verbose_name='序号'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('chain', 'seq'), name='audit_chain_seq'),
        ),
        migrations.RunPython(install, remove),
    ]
