"""Refuse UPDATE and DELETE on the audit log in the database itself.

PostgreSQL: a plpgsql trigger function raising an exception. SQLite: BEFORE UPDATE /
BEFORE DELETE triggers with RAISE(ABORT). The SQL is in ``haochaping.audit.triggers``.
"""

from __future__ import annotations

from django.db import migrations

from haochaping.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
