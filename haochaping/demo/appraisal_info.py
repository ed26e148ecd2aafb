"""The 绩效考核 block of ``demo_info``: the office's screens, a published review with its
hash, the bottom list."""

from __future__ import annotations

from django.urls import reverse

from haochaping.appraisal.models import PublishedReview


def appraisal_lines(base: str) -> list[str]:
    review = PublishedReview.objects.order_by("-start", "-pk").first()
    if review is None:
        return []
    return ["-" * 60, "绩效考核",
            f"  考核方案                      {base}{reverse('appraisal:index')}"
            "  （supervisor 登录；部门看不到考核结果和末位名单）",
            f"  已发布考核                    {base}"
            f"{reverse('appraisal:run', args=[review.run_id])}  SHA-256 {review.sha256[:16]}…",
            f"  末位名单与限期整改            {base}{reverse('appraisal:bottom')}",
            f"  信息保护违规                  {base}{reverse('appraisal:violations')}"]
