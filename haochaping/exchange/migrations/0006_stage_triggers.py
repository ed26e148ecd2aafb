"""The handling stage table (handlings 0009) now exists: install the outbox triggers again
so a stage reported or corrected leaves as a new version of its handling."""

from django.db import migrations

from haochaping.exchange import triggers


def install_triggers(apps, schema_editor):
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0005_reconcile_complaint_kind"),
        ("handlings", "0009_handling_stages"),
    ]

    operations = [migrations.RunPython(install_triggers, install_triggers)]
