"""The audit chain is keyed (issue 17): each new row records the id of the HMAC key that
made its hash (``HCP_AUDIT_KEYS``, from the environment).

No existing row is re-hashed: the rows written before have ``key_id`` "" and keep
verifying with the unkeyed algorithm (v1, ``audit.rules``); the first keyed row of each
chain covers them through its ``prev_hash``. The append-only triggers are lifted around
the schema change — SQLite re-creates the table to add a column, which would drop them —
and installed again; no row is updated.
"""

from django.db import migrations, models

from haochaping.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_chains"),
    ]

    operations = [
        migrations.RunPython(remove, install),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16,
                                   verbose_name="密钥编号"),
        ),
        migrations.RunPython(install, remove),
    ]
