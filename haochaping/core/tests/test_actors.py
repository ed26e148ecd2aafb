"""Actor labels shown in Chinese (issue 16)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from haochaping.core.actors import actor_name


def test_machine_labels_read_in_chinese() -> None:
    assert actor_name("system:workorders") == "系统（工单时限与流转）"
    assert actor_name("system:something.new") == "系统"
    assert actor_name("client:审批系统") == "业务系统：审批系统"
    assert actor_name("remote:national") == "上级平台：national"
    assert actor_name("张三") == "张三"
    assert actor_name("") == "—"


@given(st.text(max_size=30))
def test_no_machine_prefix_reaches_a_reader(label: str) -> None:
    shown = actor_name(f"system:{label}")
    assert not shown.startswith("system:")
    assert shown.startswith("系统")
