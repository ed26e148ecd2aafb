"""Insert-only guard (issue 17, haochaping.core.records): see ``haochaping.stats.guards``.

Re-running this migration's SQL after a change of the guard needs a new migration (applied
migrations do not run again); on SQLite every ``migrate`` re-installs the guards anyway.
"""

from django.db import migrations

from haochaping.core import records
from haochaping.stats.guards import SNAPSHOT_GUARD


def install(apps, schema_editor):
    records.install(schema_editor.connection, SNAPSHOT_GUARD)


def remove(apps, schema_editor):
    records.remove(schema_editor.connection, SNAPSHOT_GUARD)


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0008_dirty_buckets"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
