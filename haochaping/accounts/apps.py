from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "haochaping.accounts"
    label = "accounts"
    verbose_name = "账号与接口客户端"

    def ready(self) -> None:
        from haochaping.accounts import signals  # noqa: F401  (connects the login audit)
