"""The redaction rule of typical cases (workorders.typical_rules): names, digit runs."""

from __future__ import annotations

import pytest

from haochaping.workorders.typical_rules import REDACTED, compose, measure_line, redact

R = REDACTED


@pytest.mark.parametrize(("text", "names", "expected"), [
    # repeated names, every occurrence
    ("张三来电，张三表示满意，感谢张三", ["张三"], f"{R}来电，{R}表示满意，感谢{R}"),
    # a Chinese name inside a longer run is still the name (no word boundaries)
    ("窗口人员李明明已道歉", ["李明明"], f"窗口人员{R}已道歉"),
    ("向李明明家属致歉", ["李明"], f"向{R}明家属致歉"),
    # longest first: the longer name is struck whole, not as a shorter name plus a rest
    ("张三丰和张三", ["张三", "张三丰"], f"{R}和{R}"),
    # spaces or middle dots a writer put inside a name
    ("联系了 张 三 本人", ["张三"], f"联系了 {R} 本人"),
    ("阿卜杜·热合曼已回访", ["阿卜杜热合曼"], f"{R}已回访"),
    # Latin names only as whole words, any case
    ("Line manager Li and LI WEI", ["Li"], f"Line manager {R} and {R} WEI"),
    # one-character and empty names are not struck (they would wipe common characters)
    ("王先生已回访", ["王", "", "  "], "王先生已回访"),
    ("无姓名", [], "无姓名"),
])
def test_names_are_struck(text: str, names: list[str], expected: str) -> None:
    assert redact(text, names) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("电话13812341234已联系", f"电话{R}已联系"),
    ("手机 138-1234-1234 或 138 1234 1234", f"手机 {R} 或 {R}"),
    ("座机0371-65123456转人工", f"座机{R}转人工"),
    ("身份证11010519491231002X，另15位110105491231002", f"身份证{R}，另15位{R}"),
    ("证件号11010519491231002x。", f"证件号{R}。"),
    ("全角１３８１２３４１２３４号码", f"全角{R}号码"),
    ("编号13812341234abc", f"编号{R}abc"),
    ("本地号码6512345", f"本地号码{R}"),
    # dates, times, counts and short numbers stay readable
    ("2026-09-29 10:05 取号，等候 48 分钟，增开 2 个窗口",
     "2026-09-29 10:05 取号，等候 48 分钟，增开 2 个窗口"),
    ("2026年9月29日，办件123456号", "2026年9月29日，办件123456号"),
])
def test_phone_and_id_like_digit_runs_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_names_and_digits_together_and_idempotent() -> None:
    text = "张三丰您好，身份证11010519491231002X，电话13812341234，已由李四整改"
    once = redact(text, ["张三丰", "李四"])
    assert once == f"{R}您好，身份证{R}，电话{R}，已由{R}整改"
    assert redact(once, ["张三丰", "李四"]) == once


def test_compose_lists_reasons_measures_and_reply() -> None:
    text = compose(["办事等待时间长", "服务态度差"],
                   [measure_line("增开窗口", "等候缩短"), measure_line("培训", "")],
                   "您好，已整改。")
    assert text == ("问题类别：办事等待时间长、服务态度差\n\n整改措施：\n增开窗口（等候缩短）\n培训"
                    "\n\n部门答复：\n您好，已整改。")
    assert compose([], [], "") == "问题类别：其他"
