"""``{{ error.code|refusal_advice }}``: the next step a citizen should take after a
refusal (evaluations.refusals), for every public page's error partial."""

from __future__ import annotations

from django import template

from haochaping.evaluations.refusals import refusal_advice as _advice

register = template.Library()


@register.filter
def refusal_advice(code: object) -> str:
    return _advice(str(code or ""))
