"""What the demo's departments write on bad-review work orders (差评整改): call-back
summaries, findings, rectification measures and results, replies to the rater, QA return
reasons, extension and appeal reasons. Pure data; realistic but fictitious, and never
containing a rater's identity."""

from __future__ import annotations

import random
from dataclasses import dataclass

CALLBACKS_REACHED = (
    "电话联系评价人，评价人反映窗口未一次性告知所需材料，导致往返两次；已当面致歉并说明整改安排，"
    "评价人表示理解。",
    "电话回访评价人，评价人反映排队等候时间较长、叫号系统不清晰；已解释高峰时段情况并告知将增开窗口。",
    "电话回访评价人，评价人反映工作人员解释政策不够耐心；已致歉并告知将加强窗口服务培训。",
    "电话联系评价人，评价人反映网上申报系统多次提交失败；已记录具体时间和报错信息并转技术人员排查。",
    "电话回访评价人，评价人反映办理进度无人告知；已说明当前办理环节并承诺办结后短信通知。",
)
CALLBACK_UNREACHED = "按预留电话拨打三次均无人接听，已发送短信告知回访事由，次日再次回访。"
FINDINGS = (
    "调取当日叫号记录和窗口监控，评价人 10:05 取号、11:12 办理，等候超过一小时，情况属实。",
    "经核实，窗口人员未按一次性告知要求出具材料清单，情况属实。",
    "经核实，当日网上申报系统 14:00—15:30 因接口故障无法提交，已由技术人员修复。",
    "调取服务录音，工作人员语气生硬、解释不充分，情况基本属实。",
)
MEASURES = (
    ("已对窗口人员进行业务培训，并在大厅增设材料样本展示架。",
     "已完成全员培训 1 次，材料样本展示架已投入使用，评价人补齐材料后当日办结。"),
    ("高峰时段增开 2 个综合受理窗口，优化叫号系统的语音提示。",
     "上午高峰平均等候时间由 48 分钟降至 18 分钟。"),
    ("修订一次性告知单，在政务服务网同步更新办事指南。",
     "新版告知单已在窗口和网上同步发布，评价人事项已办结。"),
    ("约谈窗口负责人，将服务规范纳入月度考核，开展服务礼仪专题培训。",
     "相关工作人员已作书面检查，专题培训已完成。"),
    ("协调技术服务商修复申报接口，增加提交失败时的错误提示和客服电话。",
     "接口已修复并通过测试，评价人已成功在线提交并办结。"),
)
REPLIES = (
    "您好，您反映的问题已核实，我们已对窗口人员进行业务培训并增设材料样本展示架。感谢您的监督！",
    "您好，针对排队时间长的问题，我们已在高峰时段增开窗口并优化叫号提示，欢迎再次评价。",
    "您好，您反映的网上申报问题已修复，您的事项已办结。给您带来不便，深表歉意。",
    "您好，我们已修订一次性告知单并同步更新办事指南，感谢您提出宝贵意见。",
)
RETURN_REASONS = (
    "整改措施过于笼统，未说明培训时间、对象和考核方式，请补充后重新反馈。",
    "反馈内容未回应评价人提出的进度告知问题，请补充整改措施。",
)
QA_NOTES = ("整改措施具体，回访记录完整，同意办结。", "核实清楚，答复规范，同意反馈评价人。")
EXTENSION_REASONS = (
    "涉及叫号系统升级改造，需与技术服务商协调排期，无法在原期限内完成整改。",
    "整改需跨部门协调材料清单调整，须提请市级主管部门审定。",
)
APPEAL_EVIDENCE = (
    "调取窗口监控和叫号记录，评价人当日未到本窗口办理，该差评与实际服务不符，属不实评价。",
    "评价人因个人诉求不符合法定条件未获受理，连续多次恶意差评，附受理告知书和服务录音。",
)
APPEAL_UPHELD = "经调取监控和叫号记录核实，评价人当日未在该窗口办理，差评不实，申诉成立。"
APPEAL_REJECTED = "现有证据不足以证明差评不实，申诉驳回，请继续整改。"
EXTENSION_NOTE = "同意延期，请按新期限完成整改并及时反馈。"


@dataclass(frozen=True)
class Texts:
    """One order's texts, drawn once so an order's steps tell one story."""

    callback: str
    findings: str
    measures: str
    result: str
    reply: str
    return_reason: str
    qa_note: str
    extension_reason: str
    appeal_evidence: str


def typical_text(t: Texts) -> str:
    """The office's own write-up of a typical case (典型案例) for the public page."""
    return ("【案例简介】群众办事后给出差评，承办部门及时回访、调查核实，问题属实。\n\n"
            f"【整改措施】{t.measures}\n\n【整改成效】{t.result}\n\n"
            "【点评】以差评为镜、以整改为要：承办部门闭环整改、举一反三，"
            "推动政务服务从“办得了”向“办得好”转变。")


def draw(rng: random.Random) -> Texts:
    measures, result = rng.choice(MEASURES)
    return Texts(callback=rng.choice(CALLBACKS_REACHED), findings=rng.choice(FINDINGS),
                 measures=measures, result=result, reply=rng.choice(REPLIES),
                 return_reason=rng.choice(RETURN_REASONS), qa_note=rng.choice(QA_NOTES),
                 extension_reason=rng.choice(EXTENSION_REASONS),
                 appeal_evidence=rng.choice(APPEAL_EVIDENCE))
