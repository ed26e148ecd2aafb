from __future__ import annotations

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "haochaping.notify"
    label = "notify"
    verbose_name = "消息通知"
