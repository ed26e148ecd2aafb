from __future__ import annotations

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "haochaping.notify"
    label = "notify"
    verbose_name = "消息通知"

    def ready(self) -> None:
        # The vault's retention purge (docs/privacy.md): raters with queued messages, and
        # the sealed addresses and reply texts past their period.
        from haochaping.notify.privacy import POLICY_KEY, PURGERS, rater_activity
        from haochaping.vault.retention import register_activity, register_purger

        register_activity("notify", rater_activity)
        for model, purger in PURGERS.items():
            register_purger(model, POLICY_KEY, purger)
