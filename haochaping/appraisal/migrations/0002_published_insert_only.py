"""Insert-only guards (haochaping.core.records) of the published reviews and their rows:
see ``haochaping.appraisal.guards``. The guards are spelled out here, not imported from
the models, so that a later change of a model does not change this migration."""

from django.db import migrations

from haochaping.core import records

GUARDS = (records.InsertOnly(table="appraisal_publishedreview"),
          records.InsertOnly(table="appraisal_publishedrow"))


def install(apps, schema_editor):
    for guard in GUARDS:
        records.install(schema_editor.connection, guard)


def remove(apps, schema_editor):
    for guard in GUARDS:
        records.remove(schema_editor.connection, guard)


class Migration(migrations.Migration):

    dependencies = [
        ("appraisal", "0001_review_sheets"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
