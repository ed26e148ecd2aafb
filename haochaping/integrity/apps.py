from __future__ import annotations

from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    """Integrity of ratings (issue 15): signals against 刷好评 and coerced ratings computed by the
    task engine, the office's review queue and its audited decisions."""

    name = "haochaping.integrity"
    verbose_name = "评价真实性核查"
