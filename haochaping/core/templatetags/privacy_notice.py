"""``{% privacy_notice_link %}``: the link to the privacy notice in force, shown on every
rating page (core.privacy)."""

from __future__ import annotations

from typing import Any

from django import template

from haochaping.core.privacy import notice_version

register = template.Library()


@register.inclusion_tag("core/partials/privacy_notice_link.html")
def privacy_notice_link() -> dict[str, Any]:
    return {"notice_version": notice_version()}
