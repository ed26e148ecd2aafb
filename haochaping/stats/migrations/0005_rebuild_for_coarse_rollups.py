"""Existing deployments: the coarse rollups (0004) start empty, so the rollup job's next
run rebuilds every rollup once (a missing watermark means "first run")."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forget_watermark(apps: Any, schema_editor: Any) -> None:
    apps.get_model("stats", "RollupState").objects.update(watermark=None)


class Migration(migrations.Migration):
    dependencies = [("stats", "0004_coarse_rollups")]
    operations = [migrations.RunPython(forget_watermark, migrations.RunPython.noop)]
