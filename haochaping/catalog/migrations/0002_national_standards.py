"""Load the national evaluation standards (catalog/data/standards.json).

Idempotent: every row is found by its codes (get_or_create), so running it on a database
that already holds some versions adds only what is missing and never rewrites a text an
office has corrected in the admin. The version marked ``active`` in the file is activated
only when no version is active yet.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.db import migrations

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "standards.json"


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def load_standards(apps, schema_editor):
    StandardVersion = apps.get_model("catalog", "StandardVersion")
    ContentItem = apps.get_model("catalog", "ContentItem")
    Indicator = apps.get_model("catalog", "Indicator")
    BadReason = apps.get_model("catalog", "BadReason")
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    to_activate = None
    for spec in data["versions"]:
        version, _ = StandardVersion.objects.get_or_create(
            code=spec["code"],
            defaults={"name": spec["name"], "valid_from": _date(spec["valid_from"]),
                      "valid_to": _date(spec["valid_to"]), "is_active": False},
        )
        for item in spec["items"]:
            ContentItem.objects.get_or_create(
                version=version, code=item["code"],
                defaults={"level": item["level"], "text": item["text"], "sort": item["sort"],
                          "shown_by_default": item["shown_by_default"]},
            )
        for indicator in spec["indicators"]:
            Indicator.objects.get_or_create(
                version=version, channel_group=indicator["channel_group"],
                code=indicator["code"],
                defaults={"name": indicator["name"], "sort": indicator["sort"]},
            )
        for reason in spec["bad_reasons"]:
            BadReason.objects.get_or_create(
                version=version, code=reason["code"],
                defaults={"text": reason["text"], "sort": reason["sort"]},
            )
        if spec["active"]:
            to_activate = version
    if to_activate is not None and not StandardVersion.objects.filter(is_active=True).exists():
        StandardVersion.objects.filter(pk=to_activate.pk).update(is_active=True)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        # Reverse keeps the rows: evaluations may already reference their codes.
        migrations.RunPython(load_standards, migrations.RunPython.noop),
    ]
