from __future__ import annotations

from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "haochaping.evaluations"
    label = "evaluations"
    verbose_name = "评价"

    def ready(self) -> None:
        # Notify (below) hands each stored SMS reply to the rating channel through its
        # hook table (docs/architecture.md, "Hook tables").
        from haochaping.evaluations.sms.replies import sms_reply_process
        from haochaping.notify.hooks import register_inbound_sms_handler

        register_inbound_sms_handler(sms_reply_process)
        # The vault's retention purge (docs/privacy.md).
        from haochaping.evaluations import privacy
        from haochaping.vault.retention import register_activity, register_purger

        register_activity("evaluations", privacy.rater_activity)
        register_purger(privacy.CHALLENGE, "retention_messages", privacy.challenges_purge)
