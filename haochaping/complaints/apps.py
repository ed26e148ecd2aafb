from __future__ import annotations

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    """咨询投诉建议与综合点评 (issue 14, seed 004): intake, acceptance filter, handling as
    work orders, tracking, spot-check call-backs and Open311."""

    name = "haochaping.complaints"
    verbose_name = "咨询投诉建议"

    def ready(self) -> None:
        # The engine below reports closed orders and asks which orders a staff member
        # must not see; it never imports this app (STYLE.md §15).
        from haochaping.complaints.selectors import hidden_from_staff
        from haochaping.complaints.services.dispatch import on_request_closed
        from haochaping.workorders import hooks

        if on_request_closed not in hooks.request_closed:
            hooks.request_closed.append(on_request_closed)
        if hidden_from_staff not in hooks.hidden_from_staff:
            hooks.hidden_from_staff.append(hidden_from_staff)
        # The vault's retention purge (docs/privacy.md).
        from haochaping.complaints import privacy
        from haochaping.vault.retention import register_activity, register_purger

        register_activity("complaints", privacy.rater_activity)
        register_purger(privacy.MODEL, "retention_contacts", privacy.contacts_purge)
