"""The 整改情况 triggers now version their records: an order reopened and closed again
leaves ``result:<id>:closed:2`` instead of a key the outbox already holds (and dropped).
Install the triggers again (CREATE OR REPLACE on PostgreSQL, re-created on SQLite)."""

from django.db import migrations

from haochaping.exchange import triggers


def install_triggers(apps, schema_editor):
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0007_forwarded_submission")]

    operations = [migrations.RunPython(install_triggers, install_triggers)]
