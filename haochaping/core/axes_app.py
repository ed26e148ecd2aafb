"""django-axes' app, named in Chinese for the admin (the UI speaks zh-Hans). Its models'
and fields' names are translated by core's catalog (``core/locale/zh_Hans``), which
leaves the migration state untouched."""

from __future__ import annotations

from axes.apps import AppConfig


class AxesConfig(AppConfig):
    verbose_name = "登录锁定"
