"""The audit hook of access (STYLE.md §15).

Access sits below audit in the layers (audit's scoped reads ask access who may read), yet
every change to a user or an API client, every login and every refused login is audited.
Access therefore owns this one-slot table; ``audit``'s ``AppConfig.ready()`` fills it with
``audit.services.audit_record``. It fails closed: with no recorder registered an account
change raises instead of going unaudited.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured


class AuditRecorder(Protocol):
    def __call__(self, *, action: str, actor: Any = None, actor_label: str | None = None,
                 obj: Any = None, object_type: str = "", object_id: str | int = "",
                 before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
                 ip: str | None = None) -> Any: ...


_recorder: list[AuditRecorder] = []


def register_audit_recorder(recorder: AuditRecorder) -> None:
    """Called once by ``audit`` at start-up; a second call replaces the first (tests)."""
    _recorder[:] = [recorder]


def record(*, action: str, actor: Any = None, actor_label: str | None = None, obj: Any = None,
           object_type: str = "", object_id: str | int = "",
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           ip: str | None = None) -> None:
    """Append one audit event for an access change, through the registered recorder."""
    if not _recorder:
        raise ImproperlyConfigured("no audit recorder registered (is haochaping.audit installed?)")
    _recorder[0](action=action, actor=actor, actor_label=actor_label, obj=obj,
                 object_type=object_type, object_id=object_id, before=before, after=after,
                 ip=ip)
