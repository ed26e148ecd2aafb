"""Who did something, in Chinese (issue 16). Rows store the actor's label as written by
the service (a person's name, ``system:workorders``, ``client:审批系统``, ``remote:…``);
screens show this instead, never the machine label alone. Pure; used by the template
filter ``actor_name`` (``core/templatetags/actor_names.py``)."""

from __future__ import annotations

# Machine actors by label: the part the office recognises, in plain words.
SYSTEM_NAMES = {
    "system:workorders": "系统（工单时限与流转）",
    "system:complaints": "系统（诉求件办理）",
    "system:complaints.filter": "系统（受理过滤）",
    "system:exchange": "系统（上级平台交换）",
    "system:accounts": "系统（账号管理）",
    "system:privacy": "系统（个人信息保留期限）",
    "system:disclosure": "系统（公示专栏）",
    "worker:stats.monthly_reports": "系统（月度报告）",
    "submitter": "提交人",
    "command": "命令行操作",
    "demo": "演示数据",
}
PREFIXES = {"system:": "系统", "worker:": "系统", "client:": "业务系统：",
            "remote:": "上级平台：", "exchange:": "上级平台："}


def actor_name(label: str | None) -> str:
    """The label as a reader sees it: a person's name unchanged, a known machine in
    Chinese, another machine by its kind (``client:审批系统`` → 业务系统：审批系统)."""
    if not label:
        return "—"
    if label in SYSTEM_NAMES:
        return SYSTEM_NAMES[label]
    for prefix, name in PREFIXES.items():
        if label.startswith(prefix):
            rest = label[len(prefix):]
            # A Chinese name after the prefix is shown; an internal code is not.
            return f"{name}{rest}" if name.endswith("：") else name
    return label
