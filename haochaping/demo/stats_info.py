"""The statistics part of the demo: archive last month's report, publish the rankings of
the ended months and quarters, and say where to look."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from haochaping.catalog.models import Region
from haochaping.catalog.rules.codes import AdminLevel
from haochaping.stats import snapshots
from haochaping.stats.models import ExportApproval, MonthlyReport, RankingSnapshot
from haochaping.stats.reports import monthly_reports


def archive_last_month(now: datetime) -> str:
    """Last month's reports (the deployment's and each supervising office's), archived
    with their hashes by the worker's own job."""
    return f"月度报告 {monthly_reports(now)}"


def publish_rankings(now: datetime) -> str:
    """Last month's and last quarter's rankings (and the two before each), published on
    the public pages by the worker's own job, as in production."""
    return f"公示排名 {snapshots.ranking_snapshots(now)}"


def _office_report() -> MonthlyReport | None:
    """The latest report of the top-level supervising office: the one the demo's
    ``supervisor`` (of that office) may open; the deployment-wide one is the admin's."""
    return (MonthlyReport.objects.filter(scope_org__isnull=False,
                                         scope_org__parent__isnull=True)
            .order_by("-period").first())


def _district_line(base: str) -> list[str]:
    """The dashboard inside the demo's first district: its own departments (本级) and its
    towns and streets, each a row of 各区划情况 (the city's dashboard lists the districts)."""
    district = (Region.objects.filter(level=AdminLevel.COUNTY.value, orgs__isnull=False)
                .order_by("code").first())
    if district is None:
        return []
    return [f"  分区划（{district.name}各乡镇街道）  "
            f"{base}/work/stats/?region={district.pk}"]


def _figures_path() -> str:
    """The figures API for the last six months by department and month (the dashboard's
    default span): the API needs a period, and a link without one answers 422."""
    today = timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=150)).replace(day=1)
    return (f"/api/v1/stats/figures?group_by=org,period&period=month"
            f"&start={start.isoformat()}&end={today.isoformat()}")


def _export_lines(base: str) -> list[str]:
    pending = ExportApproval.objects.filter(status="pending").count()
    if not ExportApproval.objects.exists():
        return []
    return [f"  导出审批（supervisor 登录，{pending} 件待审批）  "
            f"{base}/work/stats/exports/approvals/",
            f"  我的导出申请（handler 登录，已批准的可下载一次）  "
            f"{base}/work/stats/exports/requests/"]


def stats_lines(base: str) -> list[str]:
    lines = [
        "统计、排名与公示",
        "-" * 60,
        f"  统计看板（supervisor 登录）        {base}/work/stats/",
        *_district_line(base),
        f"  排名与权重（supervisor 登录）        {base}/work/stats/ranking/",
        f"  社情民意热词（supervisor 登录）      {base}/work/stats/opinion/",
        f"  公示专栏（无需登录）          {base}/gongshi/",
        f"  综合排名                      {base}/gongshi/paiming/",
        f"  整改情况                      {base}/gongshi/zhenggai/",
        f"  典型案例                      {base}/gongshi/anli/",
        f"  指标口径                      {base}/gongshi/koujing/",
        f"  统计接口（supervisor 登录或 stats:read 密钥）  {base}{_figures_path()}",
        *_export_lines(base),
    ]
    latest = RankingSnapshot.objects.filter(period="month").order_by("-start").first()
    if latest is not None:
        lines.append(f"  公示排名（{latest.start:%Y-%m}，已发布）  "
                     f"{base}/gongshi/paiming/?period=month&at={latest.start:%Y-%m}  "
                     f"SHA-256 {latest.sha256[:16]}…")
    report = _office_report()
    if report is not None:
        lines.append(f"  月度报告（{report.period:%Y-%m}，supervisor 登录）  "
                     f"{base}/api/v1/stats/exports/reports/{report.pk}  "
                     f"SHA-256 {report.xlsx_sha256[:16]}…")
    return lines
