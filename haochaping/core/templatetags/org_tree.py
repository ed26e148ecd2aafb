"""``{% org_options orgs chosen %}``: an org picker's options as a tree (``core.orgtree``).
Put ``<input type="search" data-org-filter="<the select's name>" form="">`` before the
select to let a person narrow a long list by name (``static/core/orgfilter.js``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from haochaping.core.orgtree import options_html

register = template.Library()


@register.simple_tag
def org_options(orgs: Any, chosen: Any = None, skip: Any = None) -> SafeString:
    return options_html(orgs, chosen, skip=skip)
