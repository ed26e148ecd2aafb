"""The rule that takes personal data out of a typical case's public text
(workorders.personal_rules.strip_personal): a table of realistic texts, what must stay
(place and organisation names, common words, dates, window numbers), and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haochaping.workorders.personal_rules import segments, strip_personal

M = "***"
RATER = {"rater_names": ["李建国"], "rater_phones": ["13812345678"], "staff_names": ["陈晓明"]}

STRIPPED = [
    # salutations with a surname, the greeting folded in
    ("李先生您好，您反映的问题已核实，感谢监督。", "您好，您反映的问题已核实，感谢监督。"),
    ("李先生，您好！已为您办结。", "您好！已为您办结。"),
    ("王女士您好，材料已补齐。", "您好，材料已补齐。"),
    ("张老师您好，孩子入学材料已补齐。", "您好，孩子入学材料已补齐。"),
    ("刘阿姨您好，您的社保卡已办好。", "您好，您的社保卡已办好。"),
    ("老刘您好，房产证已办结。", "您好，房产证已办结。"),
    ("欧阳娜娜女士您好", "您好"),
    ("尊敬的王女士：您反映的问题已整改。", "尊敬的群众：您反映的问题已整改。"),
    ("尊敬的李先生，您好！", "尊敬的群众，您好！"),
    ("王大爷反映停车难，已协调车位。", "群众反映停车难，已协调车位。"),
    ("小王和老李已联系。", "群众和群众已联系。"),
    ("周师傅反映的问题已解决。", "群众反映的问题已解决。"),
    ("由王科长负责整改。", "由工作人员负责整改。"),
    ("赵主任已带队核查。", "工作人员已带队核查。"),
    # names next to address words, and tagged names alone
    ("经回访，市民张建国表示满意。", "经回访，群众表示满意。"),
    ("群众刘丽反映窗口人员态度差。", "群众反映窗口人员态度差。"),
    ("来电人赵志强称等候时间过长。", "群众称等候时间过长。"),
    ("窗口人员孙丽华已当面道歉。", "工作人员已当面道歉。"),
    ("办事群众张建国反映的问题已整改。", "群众反映的问题已整改。"),  # the longest address word
    ("向李明明家属致歉。", f"向{M}家属致歉。"),
    ("经核实，王芳所述属实。", f"经核实，{M}所述属实。"),
    # what the caller knows: the rater's name and phone, the staff member's name
    ("李建国同志反映的问题已整改。", "群众反映的问题已整改。"),
    ("李建国您好，已核实。", "您好，已核实。"),
    ("李 建 国反映的问题已整改。", "群众反映的问题已整改。"),
    ("对陈晓明批评教育。", "对工作人员批评教育。"),
    ("回访电话138 1234 5678。", f"回访电话{M}。"),
    ("回访电话138-1234-5678。", f"回访电话{M}。"),
    # numbers
    ("手机13912345678已接通。", f"手机{M}已接通。"),
    ("手机号139****5678。", f"手机号{M}。"),
    ("座机0371-65123456转人工。", f"座机{M}转人工。"),
    ("电话（0371）65123456。", f"电话{M}。"),
    ("身份证41010519800101123X已核验。", f"身份证{M}已核验。"),
    ("证件号４１０１０５１９８００１０１１２３Ｘ。", f"证件号{M}。"),
    ("15位证件410105800101123。", f"15位证件{M}。"),
    ("本地号码6512345。", f"本地号码{M}。"),
    ("全角１３８１２３４１２３４号码", f"全角{M}号码"),
    # plates, e-mail, detailed addresses
    ("车牌豫A12345的车辆已挪走。", f"车牌{M}的车辆已挪走。"),
    ("车牌号豫G·8B88C。", f"车牌号{M}。"),
    ("邮箱zhangsan@163.com已回复。", f"邮箱{M}已回复。"),
    ("住址黄河路12号3栋2单元501室。", f"住址黄河路{M}。"),
    ("幸福小区5号楼2单元302室漏水已修复。", f"幸福小区{M}漏水已修复。"),
    ("已上门到1802室核实。", f"已上门到{M}核实。"),
]

KEPT = [
    "李沧区政务服务中心和张家港市行政审批局已整改。",
    "许昌市建安区、郑东新区、高新区管委会已联合核查。",
    "高峰时段增开 2 个综合受理窗口，优化叫号系统的语音提示。",
    "已张贴统一制定的静态二维码，精准施策。",
    "高效办成一件事，明确责任，方便群众。",
    "感谢您的监督，我们将继续改进。",
    "马上办，周到服务，文明窗口，许可事项已办结。",
    "请到3号窗口办理，大厅2层综合受理区。",
    "2026年9月29日10:05取号，等候48分钟，增开2个窗口。",
    "2026-09-29 10:05 取号，办件123456号。",
    "窗口工作人员已向这位女士道歉。",
    "先生们、女士们，欢迎监督。",
    "小区物业已整改，小时工已到岗，老师已返校。",
    "这位先生您好，评价人反映的问题已整改。",
    "您好，您反映的网上申报问题已修复，您的事项已办结。",
    "约谈窗口负责人，将服务规范纳入月度考核。",
    "调取当日叫号记录和窗口监控，情况属实。",
    "黄河路政务服务大厅、人民路便民服务站。",
    "江南街道便民服务中心、苏州工业园区已同步更新办事指南。",
]


@pytest.mark.parametrize(("text", "expected"), STRIPPED)
def test_personal_data_is_replaced_by_neutral_words(text: str, expected: str) -> None:
    clean, findings = strip_personal(text, **RATER)
    assert clean == expected
    assert findings


@pytest.mark.parametrize("text", KEPT)
def test_places_organisations_and_common_words_stay(text: str) -> None:
    assert strip_personal(text, **RATER) == (text, [])


def test_findings_tell_where_and_what_without_the_known_values() -> None:
    clean, findings = strip_personal("李建国先生您好，电话13812345678，车牌豫A12345。", **RATER)
    assert clean == f"您好，电话{M}，车牌{M}。"
    assert [(f.kind, f.label) for f in findings] == [
        ("rater_name", "评价人姓名"), ("rater_phone", "评价人电话"), ("plate", "车牌号")]
    assert [clean[f.start:f.end] for f in findings] == ["您好", M, M]
    assert [f.shown for f in findings] == ["", "", "豫****45"]  # vault values never shown
    assert "".join(part for part, _ in segments(clean, findings)) == clean


# -- properties over texts assembled from realistic fragments ----------------------------

PLAIN = [t for t in KEPT] + ["已办结。", "感谢监督！", "我们将加强培训，", "情况属实，"]
PERSONAL = [t for t, _ in STRIPPED]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(PLAIN + PERSONAL), min_size=1, max_size=6))
def test_stripping_is_idempotent_and_findings_rebuild_the_original(parts: list[str]) -> None:
    text = "".join(parts)
    clean, findings = strip_personal(text, **RATER)
    assert strip_personal(clean, **RATER) == (clean, [])
    rebuilt = "".join(f.found if f else part for part, f in segments(clean, findings))
    assert rebuilt == text
    for secret in ("李建国", "13812345678", "陈晓明", "李先生", "41010519800101123X"):
        assert secret not in clean


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(PLAIN), min_size=1, max_size=5))
def test_text_without_personal_data_is_unchanged(parts: list[str]) -> None:
    text = "".join(parts)
    assert strip_personal(text) == (text, [])
