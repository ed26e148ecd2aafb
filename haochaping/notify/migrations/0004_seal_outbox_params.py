"""Outbox parameters move into a sealed column: rows already queued are sealed with the
current field key, then the plain JSON column is dropped."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def seal_existing(apps: Any, schema_editor: Any) -> None:
    from haochaping.notify.sealing import seal_params

    outbox = apps.get_model("notify", "OutboxMessage")
    for row in outbox.objects.exclude(params={}).only("pk", "params").iterator(chunk_size=500):
        sealed = seal_params({str(k): str(v) for k, v in row.params.items()})
        outbox.objects.filter(pk=row.pk).update(params_cipher=sealed)


class Migration(migrations.Migration):

    dependencies = [
        ("notify", "0003_seed_message_templates"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="params_cipher",
            field=models.TextField(blank=True, verbose_name="参数密文"),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RemoveField(model_name="outboxmessage", name="params"),
    ]
