from __future__ import annotations

from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    """Performance review (issue 15, 考核): the office's review sheets per org and staff member,
    frozen with a content hash when published; the bottom of the ranking followed up."""

    name = "haochaping.appraisal"
    verbose_name = "绩效考核"
