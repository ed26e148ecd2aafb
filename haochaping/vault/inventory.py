"""The inventory of personal data (PIPL §51, issue 17): every stored field that holds or
points at a person, with its purpose, legal basis, who may read it, how long it is kept
(a key of the policy, ``catalog.rules.policies``) and what the purge does. Pure data, no
ORM: ``vault.tests.test_inventory`` walks every model and fails when a field whose name
looks personal (``inventory_scan.looks_personal``) is neither listed here nor in
``inventory_scan.NOT_PERSONAL``, so a new field cannot arrive without an entry. The
purge job (``vault.retention``) runs the entries whose ``purge`` is not KEEP; the docs
(docs/privacy.md) and the office screen 个人信息清单 render this list.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from haochaping.accounts.roles import Role


class Purge(StrEnum):
    BLANK = "blank"  # the value is emptied
    MASK = "mask"  # the display mask becomes PURGED_MASK
    DELETE = "delete"  # the row is deleted
    KEEP = "keep"  # kept with its record (``kept_because`` says why)

    @property
    def label(self) -> str:
        return {"blank": "置空", "mask": "替换为“已清除”", "delete": "删除整行",
                "keep": "随记录保存，不清除"}[self.value]


PURGED_MASK = "已清除"
SYSTEM = "system"  # a background process (SMS delivery, upload to the province)

# Legal bases, in the words of the law (PIPL §13).
DUTY = "个人信息保护法第十三条第一款第三项：履行法定职责（国办发〔2019〕51号 好差评制度）"
CONTRACT = "个人信息保护法第十三条第一款第二项：人力资源管理（工作人员）"
SECURITY = "网络安全法第二十一条：网络日志留存不少于六个月"

OFFICE = (Role.SUPERVISOR.value,)
CASE = (Role.SUPERVISOR.value, Role.HANDLER.value, Role.DEPT_HEAD.value)
REVEAL = (Role.SUPERVISOR.value, Role.HANDLER.value, SYSTEM)


@dataclass(frozen=True)
class Entry:
    model: str  # app label + model name, as apps.get_model takes it
    fields: tuple[str, ...]
    label: str  # what it is, in Chinese
    purpose: str
    basis: str
    readers: tuple[str, ...]  # roles (accounts.roles.Role values) or SYSTEM
    retention: str  # a policy key (catalog.rules.policies.Policy), or "" for KEEP
    purge: Purge
    kept_because: str = ""  # for KEEP: why the value stays (Chinese)

    @property
    def key(self) -> str:
        return f"{self.model}:{','.join(self.fields)}"


RATER = "handlings.Rater"
INSERT_ONLY = "评价记录只增不改（种子 002：一律不得更改），统计与申诉复核依赖原始记录"
CASE_FILE = "属办件、工单或诉求件档案，随档案保存；展示与导出均需授权"

INVENTORY: tuple[Entry, ...] = (
    Entry(RATER, ("name_cipher", "id_no_cipher", "phone_cipher"),
          "评价人姓名、证件号、手机号（密文）",
          "实名评价、差评回访、短信邀评、上报省级和国家平台", DUTY, REVEAL, "retention_identity",
          Purge.BLANK),
    Entry(RATER, ("identity_index", "id_no_index", "phone_index"),
          "评价人身份、证件号、手机号盲索引",
          "识别同一评价人、按手机号匹配短信回复", DUTY, (SYSTEM,), "retention_identity",
          Purge.BLANK),
    Entry(RATER, ("name_masked", "id_no_masked", "phone_masked"),
          "评价人姓名、证件号、手机号（脱敏）",
          "屏幕显示", DUTY, CASE, "retention_identity", Purge.MASK),
    Entry("vault.IdentityAccess", ("subject", "purpose", "fields"),
          "查看评价人身份与隐私号回访的记录",
          "留痕；评价人查询谁查看了其信息；异常查看提醒", DUTY,
          (Role.SUPERVISOR.value, Role.AUDIT_ADMIN.value), "", Purge.KEEP,
          "只记谁、何时、为何查看及字段名，不含身份信息本身"),
    Entry("vault.AccessAlert", ("text",), "异常查看提醒", "提醒管理机构", DUTY, OFFICE, "",
          Purge.KEEP, "只含查看人账号与次数，不含评价人身份"),
    Entry("evaluations.Evaluation", ("text",), "评价文字（评价人可能写入个人信息）",
          "差评整改、统计分析", DUTY, CASE, "", Purge.KEEP, INSERT_ONLY),
    Entry("evaluations.Evaluation", ("ip", "user_agent"), "评价时的 IP 地址与浏览器标识",
          "识别刷评、恶意评价", SECURITY, OFFICE, "", Purge.KEEP, INSERT_ONLY),
    Entry("evaluations.PhoneChallenge", ("phone_index",), "短信验证码对应的手机号索引",
          "验证提交人手机号", DUTY, (SYSTEM,), "retention_messages", Purge.DELETE),
    Entry("evaluations.LegacyImport", ("file_name", "report", "actor_label"),
          "历史评价导入的文件名、问题行报告、导入人", "导入核对", DUTY, OFFICE, "", Purge.KEEP,
          "报告只记行号与问题代码，不含评价人身份"),
    Entry("notify.OutboxMessage", ("to_cipher", "params_cipher"), "短信收件地址与参数（密文）",
          "发送短信邀评、验证码、工单提醒", DUTY, (SYSTEM,), "retention_messages", Purge.BLANK),
    Entry("notify.InboundSms", ("phone_index", "body"), "收到的短信回复：手机号索引与原文",
          "短信评价、差评原因", DUTY, (SYSTEM,), "retention_messages", Purge.BLANK),
    Entry("complaints.Submission", ("phone_index",), "诉求件跟踪手机号索引",
          "诉求人查询办理进度、识别重复诉求", DUTY, (SYSTEM,), "retention_contacts", Purge.BLANK),
    Entry("complaints.Submission", ("subject_text", "content", "decision_note", "screening",
                                    "reason"),
          "诉求内容、受理决定与过滤结果", "办理咨询投诉建议差评", DUTY, CASE, "", Purge.KEEP,
          CASE_FILE),
    Entry("complaints.SubmissionEvent", ("note", "public_note", "payload", "actor_label"),
          "诉求件办理记录", "办理留痕、诉求人查看进度", DUTY, CASE, "", Purge.KEEP, CASE_FILE),
    Entry("complaints.SubmissionAttachment", ("file", "name"), "诉求附件", "核实诉求", DUTY,
          CASE, "", Purge.KEEP, CASE_FILE),
    Entry("complaints.SpotCheck", ("note",), "抽查回访记录", "督查整改", DUTY, OFFICE, "",
          Purge.KEEP, CASE_FILE),
    Entry("supervision.CheckFinding", ("note", "evidence", "evidence_name"),
          "核查抽查的核查记录与证据（回访、调阅、实地、视频）", "核查整改与评价真实性", DUTY,
          OFFICE, "", Purge.KEEP, CASE_FILE),
    Entry("workorders.OrderRequest", ("text",), "工单诉求原文", "办理诉求", DUTY, CASE, "",
          Purge.KEEP, CASE_FILE),
    Entry("workorders.WorkOrder", ("public_summary",), "典型案例公开文本（已去除称呼与姓名）",
          "公示典型案例", DUTY, CASE, "", Purge.KEEP, "公开前已去除姓名与称呼，不再含个人信息"),
    Entry("workorders.WorkOrderEvent", ("note", "payload", "actor_label"), "工单办理记录",
          "办理留痕", DUTY, CASE, "", Purge.KEEP, CASE_FILE),
    Entry("workorders.Callback", ("summary",), "回访记录", "差评回访", DUTY, CASE, "",
          Purge.KEEP, CASE_FILE),
    Entry("workorders.Reply", ("text", "parts"), "整改答复", "反馈评价人", DUTY, CASE, "",
          Purge.KEEP, CASE_FILE),
    Entry("workorders.Verification", ("findings",), "核实情况", "差评核实", DUTY, CASE, "",
          Purge.KEEP, CASE_FILE),
    Entry("workorders.Rectification", ("measures", "result"), "整改措施与结果", "差评整改",
          DUTY, CASE, "", Purge.KEEP, CASE_FILE),
    Entry("workorders.Review", ("reasons",), "质检意见", "答复质检", DUTY, CASE, "",
          Purge.KEEP, CASE_FILE),
    Entry("workorders.Extension", ("reason", "decision_note"), "延期理由与决定", "整改延期",
          DUTY, CASE, "", Purge.KEEP, CASE_FILE),
    Entry("workorders.Appeal", ("grounds", "evidence", "ruling_reason"), "申诉理由、证据与复核意见",
          "差评申诉复核", DUTY, CASE, "", Purge.KEEP, CASE_FILE),
    Entry("workorders.Escalation", ("note",), "督办说明", "督办", DUTY, CASE, "", Purge.KEEP,
          CASE_FILE),
    Entry("workorders.Notification", ("text",), "站内提醒", "提醒承办部门", DUTY, CASE, "",
          Purge.KEEP, "只含工单编号与时限，不含评价人身份"),
    Entry("notify.InboxItem", ("text",), "个人站内通知", "提醒经办人、负责人和管理机构",
          DUTY, CASE, "", Purge.KEEP, "只含工单编号与时限，不含评价人身份"),
    Entry("workorders.Attachment", ("file", "name"), "工单附件", "整改佐证", DUTY, CASE, "",
          Purge.KEEP, CASE_FILE),
    Entry("exchange.ForwardedItem", ("content", "reply"), "上级平台转办的诉求内容与办理结果",
          "办理上级转办诉求", DUTY, OFFICE, "", Purge.KEEP, CASE_FILE),
    Entry("exchange.ParkedRating", ("fields",), "待匹配的上级平台评价（不含评价人身份）",
          "等待办件到达后入库", DUTY, OFFICE, "", Purge.KEEP, "只含评价内容，评价人身份不暂存"),
    Entry("exchange.RejectedMessage", ("ip", "reason", "field"),
          "拒收的上级平台报文：来源 IP 与原因",
          "接口安全与排错", SECURITY, OFFICE, "", Purge.KEEP, "只存报文摘要与大小，不存报文"),
    Entry("audit.AuditEvent", ("actor_label", "before", "after", "ip"),
          "审计日志：操作人、变更前后、IP",
          "安全审计（等保三级）", SECURITY, (Role.AUDIT_ADMIN.value,), "", Purge.KEEP,
          "审计链只增不改；从不记录评价人身份的值（只记用途与字段名）"),
    Entry("accounts.User", ("username", "first_name", "last_name", "email", "phone"),
          "工作人员账号：用户名、姓名、邮箱、手机号", "登录、双因素认证、工单提醒", CONTRACT,
          (Role.SECURITY_ADMIN.value,), "", Purge.KEEP, "账号存续期间保存；长期未用的账号自动停用"),
    Entry("catalog.Staff", ("name", "staff_no", "photo"), "窗口工作人员姓名、工号、照片",
          "评价页面展示被评价人（亮牌服务）", CONTRACT, CASE, "", Purge.KEEP,
          "在岗期间公开展示；离岗后停用"),
    Entry("stats.ExportApproval", ("purpose", "requester_label", "note"), "导出申请：用途与申请人",
          "导出审批留痕", SECURITY, OFFICE, "", Purge.KEEP, "只含工作人员信息"),
    # 防刷评 (issue 15): a staff member's registered phone, never the number itself.
    Entry("integrity.StaffPhone", ("phone_index", "phone_masked"),
          "工作人员登记的手机号（索引与脱敏号码）", "发现工作人员为本部门办件刷好评", CONTRACT,
          OFFICE, "", Purge.KEEP, "登记期间保存，由管理机构删除；不存手机号本身"),
    Entry("integrity.Flag", ("explanation", "details"), "防刷评信号说明（含脱敏手机号、网段）",
          "管理机构核查疑似刷评", DUTY, OFFICE, "", Purge.KEEP, "只含脱敏号码与 /24 网段"),
    Entry("integrity.Review", ("note",), "防刷评核查情况", "认定刷评、绩效考核扣分", DUTY,
          OFFICE, "", Purge.KEEP, "核查留痕随考核记录保存"),
    Entry("core.IdempotentRequest", ("body",), "接口重试的首次应答", "重试时返回同一应答", DUTY,
          (SYSTEM,), "", Purge.DELETE, "到期后由 core.idempotency_prune 删除（不超过一天）"),
)


def by_key() -> dict[str, Entry]:
    return {entry.key: entry for entry in INVENTORY}


def covered() -> set[tuple[str, str]]:
    """Every (model label, field name) the inventory lists."""
    return {(entry.model, name) for entry in INVENTORY for name in entry.fields}


def purged_by_job() -> list[Entry]:
    """The entries the retention job purges (a policy key and not KEEP)."""
    return [entry for entry in INVENTORY if entry.retention and entry.purge is not Purge.KEEP]
