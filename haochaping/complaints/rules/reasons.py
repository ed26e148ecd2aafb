"""Why an item is not accepted (seed 004 §5: 不予接收的情形). Pure data, no ORM.

The four categories of §5 are the reason codes' first part; category (二) is split into
its named cases so the submitter is told exactly what was missing. Each reason says, in
plain Chinese, why and where to go instead (``where``): an out-of-scope item is not
"rejected", it belongs to another channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    SECURITY = "security"  # (一) 危害国家安全、破坏民族团结、煽动非法集会、扰乱社会秩序、封建迷信
    INVALID = "invalid"  # (二) 缺乏具体内容、诉求不明、无理纠缠、侮辱谩骂、重复投诉
    OUT_OF_SCOPE = "out_of_scope"  # (三) 信访、纪检监察、行政复议、涉法涉诉
    UNLAWFUL = "unlawful"  # (四) 其他违反国家法律法规和有关规定的

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.SECURITY: "危害安全或扰乱秩序",
    Category.INVALID: "内容不具体、诉求不明、纠缠谩骂或重复",
    Category.OUT_OF_SCOPE: "不属于政务服务范围",
    Category.UNLAWFUL: "其他违反法律法规",
}


@dataclass(frozen=True)
class Reason:
    code: str
    category: Category
    label: str
    explanation: str  # told to the submitter: why
    where: str = ""  # told to the submitter: where to go instead


REASONS: dict[str, Reason] = {r.code: r for r in (
    Reason("security", Category.SECURITY, "危害国家安全或扰乱社会秩序",
           "内容涉及危害国家安全、破坏民族团结、煽动非法集会、扰乱社会秩序或封建迷信，"
           "依照规定不予受理。"),
    Reason("no_content", Category.INVALID, "缺乏具体内容",
           "内容过于简单，没有说明办理的事项、部门或遇到的具体问题。",
           "请补充办理的事项、时间、部门和具体问题后重新提交。"),
    Reason("unclear", Category.INVALID, "诉求不明",
           "未能看出您希望解决的具体问题或诉求。",
           "请写明希望解决的问题后重新提交，也可拨打12345热线咨询。"),
    Reason("pestering", Category.INVALID, "无理纠缠",
           "同一问题已依法答复，再次提出未提供新的事实和理由。",
           "如对答复不服，可依法申请行政复议或提起行政诉讼。"),
    Reason("abuse", Category.INVALID, "侮辱谩骂",
           "内容含有侮辱、谩骂等不文明用语。",
           "请文明表达诉求后重新提交，我们会认真办理。"),
    Reason("repeated", Category.INVALID, "重复投诉",
           "与您近期已提交、正在办理的事项重复，已并入原件一并办理。",
           "可凭原受理编号查询办理进度。"),
    Reason("petition", Category.OUT_OF_SCOPE, "属于信访事项",
           "该诉求属于信访事项，不在政务服务投诉建议受理范围内。",
           "请向当地信访部门反映，或登录国家信访局网上信访平台。"),
    Reason("discipline", Category.OUT_OF_SCOPE, "属于纪检监察事项",
           "举报公职人员违纪违法问题属于纪检监察机关受理范围。",
           "请向当地纪委监委举报，或登录中央纪委国家监委网站举报。"),
    Reason("reconsideration", Category.OUT_OF_SCOPE, "属于行政复议事项",
           "对行政行为不服申请复议，不在政务服务投诉建议受理范围内。",
           "请向行政复议机关依法申请行政复议。"),
    Reason("litigation", Category.OUT_OF_SCOPE, "涉法涉诉",
           "涉及诉讼、仲裁或法院裁判执行的事项，不在政务服务投诉建议受理范围内。",
           "请通过人民法院、仲裁机构等法定途径解决。"),
    Reason("unlawful", Category.UNLAWFUL, "违反法律法规",
           "内容违反国家法律法规和有关规定，依照规定不予受理。"),
)}


def reason(code: str) -> Reason:
    return REASONS[code]


def reason_choices() -> list[tuple[str, str]]:
    return [(r.code, f"{r.category.label}：{r.label}") for r in REASONS.values()]
