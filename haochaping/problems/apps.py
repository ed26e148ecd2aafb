from __future__ import annotations

from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    """Common problems (issue 15, 举一反三): clusters of one reason on a matter or org open a
    task for the owning org, closed only with evidence of a systemic fix; recurrence tracked."""

    name = "haochaping.problems"
    verbose_name = "共性问题"
