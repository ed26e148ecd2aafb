"""``{{ e.actor_label|actor_name }}``: who did something, in Chinese (core.actors)."""

from __future__ import annotations

from django import template

from haochaping.core.actors import actor_name as _actor_name

register = template.Library()


@register.filter
def actor_name(label: str | None) -> str:
    return _actor_name(label)
