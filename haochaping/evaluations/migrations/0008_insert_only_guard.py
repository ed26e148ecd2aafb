"""Insert-only guard (issue 17, haochaping.core.records): see ``haochaping.evaluations.guards``.

Re-running this migration's SQL after a change of the guard needs a new migration (applied
migrations do not run again); on SQLite every ``migrate`` re-installs the guards anyway.
"""

from django.db import migrations

from haochaping.core import records
from haochaping.evaluations.guards import EVALUATION_GUARD


def install(apps, schema_editor):
    records.install(schema_editor.connection, EVALUATION_GUARD)


def remove(apps, schema_editor):
    records.remove(schema_editor.connection, EVALUATION_GUARD)


class Migration(migrations.Migration):

    dependencies = [
        ("evaluations", "0007_stage_ratings"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
