"""Clear the per-process memos (core.memo) of configuration the office just changed, so
the process that saved it applies it at once; other processes follow within
HCP_LOCAL_CACHE_SECONDS."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from haochaping.catalog.models import (
    BadReason,
    ContentItem,
    Indicator,
    PolicyOverride,
    StandardVersion,
)
from haochaping.core.memo import clear_named

STANDARD_MODELS = (StandardVersion, ContentItem, Indicator, BadReason)


def forget_policies(sender: Any, **kwargs: Any) -> None:
    clear_named("policies")


def forget_standards(sender: Any, **kwargs: Any) -> None:
    clear_named("active_standard", "standard_tables")


# Connected per sender: a receiver for every model would stop Django from deleting any
# queryset in one statement (it loads rows to send post_delete when anyone listens).
for signal in (post_save, post_delete):
    signal.connect(forget_policies, sender=PolicyOverride, dispatch_uid=f"hcp_policy_{signal}")
    for model in STANDARD_MODELS:
        signal.connect(forget_standards, sender=model,
                       dispatch_uid=f"hcp_standard_{model.__name__}_{signal}")
