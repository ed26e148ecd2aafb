"""Pure rules of the legacy satisfaction import: cells, the legacy key and the decision
that keeps one rating per handling (no database)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from haochaping.catalog.importing.rules import CellError
from haochaping.core.localtime import SHANGHAI
from haochaping.evaluations.legacy import rules
from haochaping.evaluations.legacy.rules import CurrentFacts, HandlingFacts, Outcome

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RATED = NOW - timedelta(days=3)


@pytest.mark.parametrize(("text", "level"), [("5", 5), ("1", 1), ("非常满意", 5), ("满意", 4),
                                             ("基本满意", 3), ("不满意", 2), ("非常不满意", 1)])
def test_level_cell(text: str, level: int) -> None:
    assert rules.level_cell(text) == level


@pytest.mark.parametrize("text", ["0", "6", "好评", "5.5", "很满意"])
def test_bad_level_cell(text: str) -> None:
    with pytest.raises(CellError) as exc:
        rules.level_cell(text)
    assert exc.value.code == "legacy.level"


@pytest.mark.parametrize(("text", "channel"), [
    ("窗口评价器", "evaluator"), ("evaluator", "evaluator"), ("KIOSK", "kiosk"),
    ("4", "evaluator"), ("5", "kiosk"), ("7", "sms"), ("3", "qr_code"), ("2", "app"),
    ("电话邀评", "phone")])
def test_channel_cell(text: str, channel: str) -> None:
    assert rules.channel_cell(text) == channel


@pytest.mark.parametrize("text", ["default", "系统默认评价", "8", "0", "pad"])
def test_bad_channel_cell(text: str) -> None:
    with pytest.raises(CellError) as exc:
        rules.channel_cell(text)
    assert exc.value.code == "legacy.channel"


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-02-26 20:00:00", datetime(2026, 2, 26, 20, 0, tzinfo=SHANGHAI)),
    ("2026-02-26 20:00", datetime(2026, 2, 26, 20, 0, tzinfo=SHANGHAI)),
    ("2026/02/26 20:00:05", datetime(2026, 2, 26, 20, 0, 5, tzinfo=SHANGHAI)),
    ("2026-02-26T20:00:00", datetime(2026, 2, 26, 20, 0, tzinfo=SHANGHAI)),  # an Excel cell
    ("2026-02-26T20:00:00.250000", datetime(2026, 2, 26, 20, 0, tzinfo=SHANGHAI)),
    ("2026-02-26T12:00:00+00:00", datetime(2026, 2, 26, 20, 0, tzinfo=SHANGHAI)),
])
def test_time_cell(text: str, expected: datetime) -> None:
    assert rules.time_cell(text) == expected


@pytest.mark.parametrize("text", ["2026-02-26", "26/02/2026 20:00", "昨天", "2026-13-01 10:00"])
def test_bad_time_cell(text: str) -> None:
    with pytest.raises(CellError) as exc:
        rules.time_cell(text)
    assert exc.value.code == "legacy.time"


def test_the_columns_accept_chinese_or_english_headers_and_name_the_required() -> None:
    assert [(c.key, c.header, c.required) for c in rules.COLUMNS] == [
        ("source_id", "原系统评价编号", False), ("proj_no", "办件编号", True),
        ("client_system", "业务系统", False), ("level", "评价等级", True),
        ("rated_at", "评价时间", True), ("channel", "评价渠道", False), ("text", "文字评价", False)]


def test_legacy_key_prefers_the_source_id() -> None:
    moment = datetime(2026, 2, 26, 12, 0, tzinfo=UTC)
    assert rules.legacy_key(source_id="A-7", proj_no="P1", client_system="",
                            rated_at=moment) == "id:A-7"
    assert rules.legacy_key(source_id="", proj_no="P1", client_system="审批",
                            rated_at=moment) == "h:审批|P1|2026-02-26T20:00:00"


def test_source_name() -> None:
    assert rules.check_source("  原满意度系统 ") == "原满意度系统"
    for bad in ("", "   ", "x" * 65):
        with pytest.raises(CellError) as exc:
            rules.check_source(bad)
        assert exc.value.code == "legacy.source"


def test_channel_for() -> None:
    assert rules.channel_for("", has_window=True).value == "evaluator"
    assert rules.channel_for("", has_window=False).value == "web"
    assert rules.channel_for("sms", has_window=True).value == "sms"


def facts(status: str = "completed", closes: datetime | None = None,
          current: CurrentFacts | None = None) -> HandlingFacts:
    return HandlingFacts(status=status, rating_closes_at=closes, current=current)


@pytest.mark.parametrize(("handling", "rated_at", "outcome", "code", "supersedes"), [
    (facts(), RATED, Outcome.CREATED, "", False),
    (facts(current=CurrentFacts(is_default=True, legacy_source="")), RATED, Outcome.CREATED,
     "", True),
    (facts(current=CurrentFacts(is_default=False, legacy_source="")), RATED,
     Outcome.DUPLICATE, "legacy.rated_here", False),
    (facts(current=CurrentFacts(is_default=False, legacy_source="老系统")), RATED,
     Outcome.DUPLICATE, "legacy.rated_by_legacy", False),
    (facts(status="withdrawn"), RATED, Outcome.INVALID, "legacy.withdrawn", False),
    (facts(status="accepted"), RATED, Outcome.INVALID, "legacy.not_completed", False),
    (facts(), NOW + timedelta(minutes=1), Outcome.INVALID, "legacy.future_time", False),
    (facts(closes=RATED - timedelta(seconds=1)), RATED, Outcome.INVALID,
     "legacy.window_closed", False),
    (facts(closes=RATED), RATED, Outcome.CREATED, "", False),
])
def test_decide(handling: HandlingFacts, rated_at: datetime, outcome: Outcome, code: str,
                supersedes: bool) -> None:
    verdict = rules.decide(handling, rated_at=rated_at, now=NOW)
    assert (verdict.outcome, verdict.code, verdict.supersedes_default) == (
        outcome, code, supersedes)
    assert bool(verdict.message) == (outcome is not Outcome.CREATED)


def test_ours_is_kept_whatever_the_policy_or_order() -> None:
    """A real rating here always wins over a legacy one, also an older legacy one: the
    handling is counted once, with the rating the platform recorded."""
    ours = CurrentFacts(is_default=False, legacy_source="")
    for rated_at in (RATED - timedelta(days=30), RATED, NOW):
        assert rules.decide(facts(current=ours), rated_at=rated_at,
                            now=NOW).outcome is Outcome.DUPLICATE


ROOT = Path(__file__).resolve().parents[3]


def test_every_column_and_code_is_documented() -> None:
    doc = (ROOT / "docs" / "import-format.md").read_text(encoding="utf-8")
    for column in rules.COLUMNS:
        assert f"| `{column.key}` | {column.header} |" in doc
    source = "".join(p.read_text(encoding="utf-8")
                     for p in (ROOT / "haochaping" / "evaluations" / "legacy").glob("*.py"))
    codes = set(re.findall(r'"(legacy\.[a-z_]+)"', source))
    assert len(codes) >= 10
    assert sorted(c for c in codes if f"`{c}`" not in doc) == []
