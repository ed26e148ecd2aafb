"""The composed text of typical cases (workorders.typical_rules), and the known-name cases
the earlier redaction rule covered, now held by personal_rules.strip_personal."""

from __future__ import annotations

import pytest

from haochaping.workorders.personal_rules import strip_personal
from haochaping.workorders.typical_rules import compose, measure_line


@pytest.mark.parametrize(("text", "names", "expected"), [
    ("张三来电，张三表示满意，感谢张三", ["张三"], "群众来电，群众表示满意，感谢群众"),
    ("窗口人员李明明已道歉", ["李明明"], "工作人员已道歉"),  # the address word goes too
    ("张三丰和张三", ["张三", "张三丰"], "群众和群众"),  # longest first
    ("联系了 张 三 本人", ["张三"], "联系了 群众 本人"),  # spaces inside a name
    ("阿卜杜·热合曼已回访", ["阿卜杜热合曼"], "群众已回访"),  # middle dots
    ("Line manager Li and LI WEI", ["Li"], "Line manager 群众 and 群众 WEI"),  # whole words
    ("无姓名", ["王", "", "  "], "无姓名"),  # one-character and empty names are not struck
])
def test_known_rater_names_are_struck(text: str, names: list[str], expected: str) -> None:
    assert strip_personal(text, rater_names=names)[0] == expected


def test_compose_lists_reasons_measures_and_reply() -> None:
    text = compose(["办事等待时间长", "服务态度差"],
                   [measure_line("增开窗口", "等候缩短"), measure_line("培训", "")],
                   "您好，已整改。")
    assert text == ("问题类别：办事等待时间长、服务态度差\n\n整改措施：\n增开窗口（等候缩短）\n培训"
                    "\n\n部门答复：\n您好，已整改。")
    assert compose([], [], "") == "问题类别：其他"
