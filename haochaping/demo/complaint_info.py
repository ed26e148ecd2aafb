"""The 咨询投诉建议 block of ``demo_info``: where the public form, the office's queue and
entry and the 监督员's page are, and one reference number per state (only for data that
exists)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import Status


def _path(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def complaint_lines(base: str) -> list[str]:
    if not Submission.objects.exists():
        return []
    lines = ["-" * 60, "咨询投诉建议与综合点评",
             f"  公众提交与查询（手机）      {base}/tousu/",
             f"  管理机构诉求台              {base}"
             f"{_path('complaints:queue', '/work/complaints/')}  （supervisor 登录）",
             f"  工作人员代录入              {base}"
             f"{_path('complaints:entry', '/work/complaints/entry/')}"
             "  （12345 热线、现场、意见箱、座谈会）",
             f"  政务服务监督员              {base}"
             f"{_path('complaints:mine', '/work/complaints/mine/')}"
             "  （monitor 登录后直接进入）"]
    for status in Status:
        item = (Submission.objects.filter(status=status.value).order_by("-received_at")
                .first())
        if item is not None:
            reason = f"，原因 {item.reason}" if item.reason else ""
            lines.append(f"  {status.label:<8} {item.ref}（{item.get_kind_display()}，"
                         f"{item.get_channel_display()}{reason}）")
    return lines
