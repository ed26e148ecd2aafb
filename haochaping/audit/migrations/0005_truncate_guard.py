"""Insert-only guard (issue 17, haochaping.core.records): see ``haochaping.audit.triggers``.

Re-running this migration's SQL after a change of the guard needs a new migration (applied
migrations do not run again); on SQLite every ``migrate`` re-installs the guards anyway.
"""

from django.db import migrations

from haochaping.core import records
from haochaping.audit.triggers import GUARD


def install(apps, schema_editor):
    records.install(schema_editor.connection, GUARD)


def remove(apps, schema_editor):
    records.remove(schema_editor.connection, GUARD)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_keyed_chain"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
