"""The 共性问题 block of ``demo_info``: the office's list, the closed task with its
evidence and the recurrence after it."""

from __future__ import annotations

from django.urls import reverse

from haochaping.problems.models import ProblemTask


def problem_lines(base: str) -> list[str]:
    if not ProblemTask.objects.exists():
        return []
    lines = ["-" * 60, "共性问题（举一反三）",
             f"  管理机构共性问题          {base}{reverse('problems:index')}"
             "  （supervisor 登录；handler 登录只见本部门任务并提交整改材料）"]
    again = ProblemTask.objects.filter(recurrence_of__isnull=False).order_by("-pk").first()
    if again is not None and again.recurrence_of_id:
        lines += [f"  已销号（附整改材料）    {base}"
                  f"{reverse('problems:task', args=[again.recurrence_of_id])}",
                  f"  销号后复发                {base}"
                  f"{reverse('problems:task', args=[again.pk])}"]
    return lines
