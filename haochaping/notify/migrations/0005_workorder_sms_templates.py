"""SMS templates that tell a department at once about an urgent work order (issue 14,
seed 004 §6(一) 紧急类的从快解决, §9): a new one and one sent back for rework. Short, and
never with the submitter's data or the request's text."""

from django.db import migrations

TEMPLATES = [
    ("workorder_urgent", "加急工单派单提醒",
     "【政务服务好差评】加急工单{ticket}已派至您单位，请于{deadline}前联系处理。"),
    ("workorder_returned", "加急工单退回提醒",
     "【政务服务好差评】加急工单{ticket}已退回重办，请于{deadline}前处理。"),
]


def seed(apps, schema_editor):
    template_model = apps.get_model("notify", "MessageTemplate")
    for code, name, body in TEMPLATES:
        template_model.objects.get_or_create(
            code=code, defaults={"name": name, "body": body, "channel": "sms"})


def unseed(apps, schema_editor):
    apps.get_model("notify", "MessageTemplate").objects.filter(
        code__in=[code for code, _, _ in TEMPLATES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("notify", "0004_seal_outbox_params"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
