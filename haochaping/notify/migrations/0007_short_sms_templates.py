"""SMS texts that fit as few messages as they can (issue 16): one SMS (70 characters)
where the template allows; the two that carry a link (the link alone is 60 to 90
characters) in two instead of three. A template the office has edited is left alone."""

from django.db import migrations

# code: (the seeded body it replaces, the new body)
SHORTER = {
    "evaluation_invite": (
        "【政务服务好差评】您在{org}办理的“{matter}”已办结，请对本次服务评价：{link} "
        "回复1-5直接评价（5非常满意…1非常不满意）。",
        "【政务服务好差评】您办理的“{matter}”已办结，请评价：{link} 或回复1-5（5非常满意）"),
    "bad_reason_followup": (
        "【政务服务好差评】您对“{matter}”的评价已收到，很抱歉未能让您满意。"
        "请直接回复本短信告诉我们不满意的原因，我们将督促整改并向您反馈。",
        "【政务服务好差评】很抱歉“{matter}”未让您满意，请直接回复不满意的原因，我们将督促整改并反馈您。"),
    "rectification_reply": (
        "【政务服务好差评】您对“{matter}”的差评已整改：{summary} 详情：{link}",
        "【政务服务好差评】您对“{matter}”的差评已有整改反馈，查看并评价：{link}"),
}


def shorten(apps, schema_editor):
    template_model = apps.get_model("notify", "MessageTemplate")
    for code, (old, new) in SHORTER.items():
        template_model.objects.filter(code=code, body=old).update(body=new)


def restore(apps, schema_editor):
    template_model = apps.get_model("notify", "MessageTemplate")
    for code, (old, new) in SHORTER.items():
        template_model.objects.filter(code=code, body=new).update(body=old)


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0006_relay"),
    ]

    operations = [
        migrations.RunPython(shorten, restore),
    ]
