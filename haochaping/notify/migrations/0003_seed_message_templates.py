"""Seed the SMS templates the platform sends (issue 3; seed 003 §9(三), §19)."""

from django.db import migrations

TEMPLATES = [
    ("evaluation_invite", "评价邀请",
     "【政务服务好差评】您在{org}办理的“{matter}”已办结，请对本次服务评价：{link} "
     "回复1-5直接评价（5非常满意…1非常不满意）。"),
    ("bad_reason_followup", "差评原因追问",
     "【政务服务好差评】您对“{matter}”的评价已收到，很抱歉未能让您满意。"
     "请直接回复本短信告诉我们不满意的原因，我们将督促整改并向您反馈。"),
    ("sms_code", "短信验证码",
     "【政务服务好差评】您的验证码为{code}，{minutes}分钟内有效，请勿泄露给他人。"),
    ("rectification_reply", "差评整改反馈",
     "【政务服务好差评】您对“{matter}”的差评已整改：{summary} 详情：{link}"),
    ("deadline_warning", "办理时限预警",
     "【政务服务好差评】工单{ticket}将于{deadline}到期，请及时处理。"),
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
        ("notify", "0002_messagetemplate"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
