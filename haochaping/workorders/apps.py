from __future__ import annotations

from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "haochaping.workorders"
    verbose_name = "差评工单"

    def ready(self) -> None:
        # A bad rating opens its work order, an invalidated one voids it: tasks queued in
        # the rating's own transaction through the evaluations app's hook tables.
        from haochaping.evaluations import hooks
        from haochaping.workorders import tasks

        hooks.rating_needs_workorder.append(tasks.queue_open_for_rating)
        hooks.rating_invalidated.append(tasks.queue_void_for_invalidated)
        # The vault's retention purge keeps raters with open or recent orders.
        from haochaping.vault.retention import register_activity
        from haochaping.workorders.privacy import rater_activity

        register_activity("workorders", rater_activity)
