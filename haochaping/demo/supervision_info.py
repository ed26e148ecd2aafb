"""The 核查抽查 block of ``demo_info``: the office's screen, the published plan and its
通报, the fake fix it reopened."""

from __future__ import annotations

from django.urls import reverse

from haochaping.supervision.models import CheckFinding, CheckPlan


def supervision_lines(base: str) -> list[str]:
    published = CheckPlan.objects.filter(published_at__isnull=False).order_by("-end").first()
    if published is None:
        return []
    lines = ["-" * 60, "核查抽查",
             f"  管理机构核查抽查             {base}{reverse('supervision:index')}"
             "  （supervisor 登录；handler 登录只见已发布通报中本部门的结果）",
             f"  已发布计划                   {base}"
             f"{reverse('supervision:plan', args=[published.pk])}",
             f"  月度通报（可打印）           {base}"
             f"{reverse('supervision:bulletin', args=[published.pk])}"]
    fake = (CheckFinding.objects.filter(finding="false_report", item__draw__plan=published)
            .select_related("item").first())
    if fake is not None and fake.item.order_id:
        lines.append(f"  虚报整改已退回重办           {base}"
                     f"{reverse('workorders:order', args=[fake.item.order_id])}")
    pending = CheckPlan.objects.filter(published_at__isnull=True).first()
    if pending is not None:
        lines.append(f"  核查中（部门不可见）         {base}"
                     f"{reverse('supervision:plan', args=[pending.pk])}")
    return lines
