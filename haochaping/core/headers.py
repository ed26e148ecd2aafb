"""The Content-Security-Policy (django-csp, issue 17, docs/security.md): scripts only
from this site's own files (no template carries an inline script or an on* handler;
htmx, ECharts and the API docs' Swagger UI are served locally), nothing framed, forms
posting back here only. Inline style attributes stay allowed (htmx's indicator style, a
few admin notices).
"""

from __future__ import annotations

from typing import Any

from csp.constants import NONE, SELF, UNSAFE_INLINE

CSP: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
