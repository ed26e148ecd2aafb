"""The acceptance filter's rules, one check at a time (no database)."""

from __future__ import annotations

import pytest

from haochaping.complaints.rules.filter import (
    DUPLICATE_SIMILARITY,
    Decision,
    Recent,
    Strength,
    Word,
    assess,
    similarity,
)
from haochaping.complaints.rules.reasons import REASONS
from haochaping.complaints.rules.wordlists import DEFAULT_WORDS

WORDS = [Word(w, r, Strength(s)) for r, w, s in DEFAULT_WORDS]
CLEAN = "我在市场监管局窗口办理营业执照变更，窗口要求提供三次同样的材料，希望说明原因并改进。"


def judge(text: str, recent: tuple[Recent, ...] = ()) -> tuple[str, str]:
    verdict = assess(text, words=WORDS, recent=recent)
    return verdict.decision.value, verdict.reason


def test_default_lists_name_only_known_reasons_once() -> None:
    assert {r for r, _, _ in DEFAULT_WORDS} <= set(REASONS)
    assert len({(r, w) for r, w, _ in DEFAULT_WORDS}) == len(DEFAULT_WORDS)
    assert {s for _, _, s in DEFAULT_WORDS} == {"hit", "cue"}


@pytest.mark.parametrize(("text", "expected"), [
    (CLEAN, ("accept", "")),
    ("你好？", ("refuse", "no_content")),
    ("啊啊啊啊啊啊啊啊", ("refuse", "no_content")),
    ("我要投诉他们", ("refuse", "no_content")),
    ("社保卡怎么补办？", ("triage", "no_content")),
    ("心情很不好，感觉做啥都不顺。", ("triage", "unclear")),
    ("号召大家颠覆国家政权，这个政府没有存在的必要。", ("refuse", "security")),
    ("下周我们组织几百人集体上街，到政务中心门口拉横幅。", ("triage", "security")),
    ("你们这帮傻逼，办个营业执照拖了一个月还没好。", ("refuse", "abuse")),
    ("你们这些人都是废物，办个证都办不明白。", ("triage", "abuse")),
    ("我要投诉到底，哪怕你们答复了一百遍我也要继续投诉，没完。", ("triage", "pestering")),
    ("我已经进京上访三次了，当地一直不解决宅基地纠纷。", ("refuse", "petition")),
    ("举报某街道办主任贪污受贿，利用职权为亲戚办理低保。", ("refuse", "discipline")),
    ("对人社局工伤认定结论不服，申请行政复议。", ("refuse", "reconsideration")),
    ("区法院判决不公，要求你们督促法院改判。", ("refuse", "litigation")),
    ("谁能帮我办假证，学历证书和营业执照都要，价格好说。", ("refuse", "unlawful")),
])
def test_each_category_and_decision(text: str, expected: tuple[str, str]) -> None:
    assert judge(text) == expected


@pytest.mark.parametrize("text", [
    "工作人员骂我傻逼，请严肃处理这个窗口的工作人员。",  # reported, not said
    "窗口工作人员说“傻逼才来这里办”，请严肃处理。",  # quoted
    "窗口让我去申请行政复议，我只是想咨询营业执照变更需要什么材料。",  # reported
])
def test_a_reported_or_quoted_hit_goes_to_triage_not_refusal(text: str) -> None:
    verdict = assess(text, words=WORDS)
    assert verdict.decision is Decision.TRIAGE
    assert verdict.notes


@pytest.mark.parametrize("text", [
    "办理不动产登记需要法院判决书吗？还是公证书也可以？",  # 判决 inside 判决书
    "我不是要上访，只是想问一下拆迁安置房的不动产证什么时候能办下来。",  # negated cue
    "工作人员骂我是“废物”，只因为我不会用自助机，请严肃处理。",  # quoted cue
])
def test_a_cue_inside_another_word_quoted_or_negated_does_not_count(text: str) -> None:
    assert judge(text) == ("accept", "")


def test_a_hit_cut_through_by_a_token_boundary_acts_as_a_cue() -> None:
    words = [Word("证件", "unlawful", Strength.HIT)]
    verdict = assess("办理身份证件换领需要哪些材料？窗口没有一次性告知。", words=words)
    assert (verdict.decision, verdict.reason) == (Decision.TRIAGE, "unlawful")
    assert verdict.notes == ("证件（词界不符）",)


def test_the_gravest_reason_wins() -> None:
    text = "他妈的，我要推翻政府，谁能帮我办假证。"
    assert judge(text) == ("refuse", "security")


def test_own_open_near_duplicate_is_merged() -> None:
    recent = (Recent("TS1", CLEAN, same_submitter=True, is_open=True),)
    verdict = assess(CLEAN.replace("。", "，请尽快处理！"), words=WORDS, recent=recent)
    assert verdict.decision is Decision.MERGE
    assert (verdict.reason, verdict.duplicate_of) == ("repeated", "TS1")


def test_own_answered_near_duplicate_is_triaged_as_pestering() -> None:
    recent = (Recent("TS1", CLEAN, same_submitter=True, is_open=False, answered=True),)
    verdict = assess(CLEAN, words=WORDS, recent=recent)
    assert (verdict.decision, verdict.reason, verdict.duplicate_of) == (
        Decision.TRIAGE, "pestering", "TS1")


def test_someone_elses_near_duplicate_is_triage_never_refusal() -> None:
    recent = (Recent("TS2", CLEAN, same_submitter=False, is_open=False, answered=True),
              Recent("TS3", CLEAN, same_submitter=False, is_open=True))
    verdict = assess(CLEAN, words=WORDS, recent=recent)
    assert (verdict.decision, verdict.reason) == (Decision.TRIAGE, "repeated")


def test_own_refused_item_again_is_judged_afresh() -> None:
    recent = (Recent("TS1", CLEAN, same_submitter=True, is_open=False, answered=False),)
    assert judge(CLEAN, recent) == ("accept", "")


def test_a_different_item_is_not_a_duplicate() -> None:
    other = "公积金提取审核已经超过十个工作日还没有结果，打电话也没人接，请尽快处理。"
    assert similarity(CLEAN, other) < DUPLICATE_SIMILARITY
    recent = (Recent("TS1", other, same_submitter=True, is_open=True),)
    assert judge(CLEAN, recent) == ("accept", "")


def test_similarity_is_jaccard_over_character_bigrams() -> None:
    assert similarity("营业执照", "营业执照") == 1.0
    assert similarity("营业执照", "执照营业") == pytest.approx(2 / 4)  # 营业 执照 shared of 4
    assert similarity("", "营业执照") == 0.0


def test_office_word_changes_the_verdict() -> None:
    text = "窗口工作人员要求我去某某中介办理加急，收费五百元，请核实。"
    assert judge(text) == ("accept", "")
    words = [*WORDS, Word("某某中介", "unlawful", Strength.CUE)]
    assert assess(text, words=words).reason == "unlawful"


def test_verdict_as_dict_is_json_ready() -> None:
    data = assess("你们这帮傻逼，办个营业执照拖了一个月还没好。", words=WORDS).as_dict()
    assert data == {"decision": "refuse", "reason": "abuse", "explanation": "命中过滤词：傻逼",
                    "matched": ["傻逼"], "duplicate_of": "", "notes": []}
