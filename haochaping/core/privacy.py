"""The privacy notice (个人信息保护告知) in force, by version (docs/privacy.md).

``HCP_PRIVACY_NOTICE_VERSION`` names the notice every rating page links to; its text is
the template ``core/privacy_notice_<version>.html`` (a start-up check finds it). Each
rating stores the version its rater was shown (``Evaluation.notice_version``), or one of
the reserved words for ratings no page of ours showed a notice for. A new version is a new
template beside the old ones, which stay readable at ``/yinsi/<version>/``.
"""

from __future__ import annotations

import re

from django.conf import settings

NOTICE_REMOTE = "remote"  # made on the provincial or national platform, under its notice
NOTICE_LEGACY = "legacy"  # imported from a legacy satisfaction system
NOTICE_NONE = "none"  # a default rating: the system's, no rater was asked
NOTICE_BEFORE = "unknown"  # stored before notice versions were recorded
RESERVED = frozenset({NOTICE_REMOTE, NOTICE_LEGACY, NOTICE_NONE, NOTICE_BEFORE})
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,15}$")


def notice_version() -> str:
    """The version of the notice the rating pages show now."""
    return str(settings.HCP_PRIVACY_NOTICE_VERSION)


def valid_version(version: str) -> bool:
    return bool(VERSION_RE.match(version)) and version not in RESERVED


def notice_template(version: str) -> str:
    return f"core/privacy_notice_{version}.html"
