"""The review's XLSX (``/work/appraisal/runs/<pk>.xlsx``) through the project's one
spreadsheet writer (``core.sheets``): the table as computed (or as published, with its
SHA-256), the indicators, audited as an export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from haochaping.appraisal import selectors
from haochaping.appraisal.views import office, refused
from haochaping.audit.services import audit_record
from haochaping.core.errors import AppError
from haochaping.core.sheets import CONTENT_TYPES, Provenance, Sheet, xlsx_bytes

MODE_LABELS = {"weight": "权重计分", "deduct": "按件扣分"}


def sheets(document: dict[str, Any], sha256: str, published: bool) -> list[Sheet]:
    """The workbook's sheets: 考核结果 (one row per subject), 考核指标, 说明."""
    indicators = document["indicators"]
    staff = document["sheet"]["subject_kind"] == "staff"
    headers = ["名次", "工号" if staff else "机构代码", "姓名" if staff else "部门",
               *(["所属部门"] if staff else []),
               *[i["label"] for i in indicators], "泄露评价人信息", "加权得分", "扣分",
               "总分", "排名末位", "说明"]
    rows = [[r["rank"], r["code"], r["name"], *([r["org_name"]] if staff else []),
             *[r["values"].get(i["key"]) for i in indicators], r["privacy"], r["base"],
             r["deductions"], r["score"], "是" if r["at_bottom"] else "", r["status"]]
            for r in document["rows"]]
    rules = [[i["label"], MODE_LABELS.get(i["mode"], i["mode"]),
              i["weight"] if i["mode"] == "weight" else None,
              i["deduction"] if i["mode"] == "deduct" else None] for i in indicators]
    about = [["方案", document["sheet"]["title"]], ["范围", document["sheet"]["scope_name"]],
             ["期间", document["period"]["label"]],
             ["状态", "已发布（内容冻结）" if published else "未发布（计算结果）"],
             ["内容摘要 SHA-256", sha256], ["计算时间", document["computed_at"]]]
    return [Sheet("考核结果", headers, rows),
            Sheet("考核指标", ["指标", "计分方式", "权重", "每件扣分"], rules),
            Sheet("说明", ["项目", "内容"], about)]


@login_required
@require_GET
def workbook(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = office(request)
        run = selectors.run_get(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    published = selectors.published_of(run)
    content, sha = (published.content, published.sha256) if published else (run.content,
                                                                             run.sha256)
    document = selectors.parse(content)
    event = audit_record(action="appraisal.export", actor=actor.user, actor_label=actor.label,
                         obj=run, after={"published": published is not None, "sha256": sha})
    body = xlsx_bytes(sheets(document, sha, published is not None),
                      Provenance(by=actor.label, at=event.at,
                                 title=f"绩效考核 {document['sheet']['title']} "
                                       f"{document['period']['label']}",
                                 scope=document["sheet"]["scope_name"],
                                 reference=str(event.pk)))
    response = HttpResponse(body, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="kaohe-{run.pk}-{event.pk}.xlsx"'
    return response
