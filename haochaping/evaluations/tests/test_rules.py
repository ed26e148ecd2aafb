"""The rating rules, without a database: unit tests and properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haochaping.catalog.rules.standards import Channel, ChannelGroup
from haochaping.evaluations import rules as r

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ITEMS = tuple([(f"5{i:02d}", 5) for i in range(3)] + [(f"4{i:02d}", 4) for i in range(3)]
              + [(f"3{i:02d}", 3) for i in range(3)] + [(f"2{i:02d}", 2) for i in range(3)]
              + [(f"1{i:02d}", 1) for i in range(3)])
TABLES = r.StandardTables(
    content_items=ITEMS,
    indicators={"online": frozenset({"overall", "operability"}),
                "offline": frozenset({"overall", "attitude"})},
    reason_codes=frozenset({"207", "108", "other"}),
)
OPEN = r.HandlingState(status="completed", channel_group=ChannelGroup.OFFLINE,
                       rating_closes_at=None, staff_user_id=7, current=None)
LATEST = r.RatingPolicy(multiple_ratings=r.LATEST_WINS, phone_invitation=True)
ONCE = r.RatingPolicy(multiple_ratings=r.ONE_PER_SERVICE, phone_invitation=False)
REAL_BAD = r.CurrentRating(level=1, is_default=False, invalidated=False, has_reason=False)
REAL_GOOD = r.CurrentRating(level=5, is_default=False, invalidated=False, has_reason=False)
DEFAULT = r.CurrentRating(level=3, is_default=True, invalidated=False, has_reason=False)
OFFICE = r.EnteredBy(user_id=1, role="supervisor")


def check(rating: r.RatingInput, *, channel: Channel = Channel.WEB,
          state: r.HandlingState = OPEN, policy: r.RatingPolicy = ONCE,
          **kw: object) -> r.RatingDecision:
    return r.check_rating(rating, channel=channel, tables=TABLES, state=state, policy=policy,
                          now=NOW, **kw)  # type: ignore[arg-type]


def rejected(rating: r.RatingInput, **kw: object) -> str:
    with pytest.raises(r.RatingRejected) as exc:
        check(rating, **kw)  # type: ignore[arg-type]
    return exc.value.code


def test_a_first_good_rating_is_accepted_as_assess_number_1() -> None:
    assert check(r.RatingInput(5, {"overall": 5}, ["500"])) == r.RatingDecision(False, 1)


@pytest.mark.parametrize(("rating", "code"), [
    (r.RatingInput(0), "evaluation.invalid_level"),
    (r.RatingInput(6), "evaluation.invalid_level"),
    (r.RatingInput(5, {"operability": 5}), "evaluation.unknown_indicator"),
    (r.RatingInput(5, {"overall": 9}), "evaluation.invalid_item_level"),
    (r.RatingInput(5, content_codes=["999"]), "evaluation.invalid_content"),
    (r.RatingInput(5, content_codes=["400"]), "evaluation.invalid_content"),
    (r.RatingInput(5, content_codes=["500", "500"]), "evaluation.invalid_content"),
    (r.RatingInput(1, reason_codes=["nope"]), "evaluation.unknown_reason"),
    (r.RatingInput(4, reason_codes=["207"]), "evaluation.reason_not_allowed"),
    (r.RatingInput(5, text="好" * 501), "evaluation.text_too_long"),
    (r.RatingInput(2), "evaluation.reason_required"),
    (r.RatingInput(1, text="太差了"), "evaluation.reason_required"),
    (r.RatingInput(1, reason_codes=["other"]), "evaluation.reason_required"),
])
def test_bad_content_is_refused_with_its_code(rating: r.RatingInput, code: str) -> None:
    assert rejected(rating) == code


def test_online_indicators_apply_to_online_handlings() -> None:
    online = replace(OPEN, channel_group=ChannelGroup.ONLINE)
    assert check(r.RatingInput(5, {"operability": 4}), state=online).assess_number == 1
    assert rejected(r.RatingInput(5, {"attitude": 4}), state=online) == \
        "evaluation.unknown_indicator"


def test_channel_group_follows_the_handling() -> None:
    assert r.channel_group_of(has_window=True, service_channel="online") is ChannelGroup.OFFLINE
    assert r.channel_group_of(has_window=False, service_channel="offline") is \
        ChannelGroup.OFFLINE
    assert r.channel_group_of(has_window=False, service_channel="online") is ChannelGroup.ONLINE


@pytest.mark.parametrize("rating", [
    r.RatingInput(1, reason_codes=["108"]),
    r.RatingInput(2, content_codes=["200"]),
    r.RatingInput(1, text="材料被退回三次"),
    r.RatingInput(1, reason_codes=["other"], text="窗口中午无人值守"),
])
def test_a_bad_rating_with_a_reason_is_accepted(rating: r.RatingInput) -> None:
    assert check(rating).assess_number == 1


def test_sms_first_reply_needs_no_reason_but_its_follow_up_does() -> None:
    first = check(r.RatingInput(1), channel=Channel.SMS, sms_reply=True)
    assert first == r.RatingDecision(False, 1)
    after = replace(OPEN, current=REAL_BAD)
    assert rejected(r.RatingInput(1), channel=Channel.SMS, state=after,
                    assess_number=2) == "evaluation.reason_required"
    follow = check(r.RatingInput(1, text="窗口人员态度差"), channel=Channel.SMS, state=after,
                   assess_number=2)
    assert follow == r.RatingDecision(True, 2)


def test_the_sms_link_form_is_no_reply_and_needs_the_reason() -> None:
    assert rejected(r.RatingInput(1), channel=Channel.SMS) == "evaluation.reason_required"
    assert rejected(r.RatingInput(2), channel=Channel.WEB,
                    sms_reply=True) == "evaluation.reason_required"


def test_one_per_service_refuses_a_second_rating_but_not_the_sms_follow_up() -> None:
    rated = replace(OPEN, current=REAL_GOOD)
    assert rejected(r.RatingInput(5), state=rated) == "evaluation.already_rated"
    assert rejected(r.RatingInput(5), state=rated, assess_number=2) == \
        "evaluation.already_rated"
    bad = replace(OPEN, current=REAL_BAD)
    # A follow-up may not change the level under one_per_service.
    assert rejected(r.RatingInput(2, text="窗口人员态度差"), state=bad, assess_number=2,
                    channel=Channel.SMS) == "evaluation.already_rated"


def test_latest_wins_supersedes_as_a_follow_up() -> None:
    rated = replace(OPEN, current=REAL_GOOD)
    assert check(r.RatingInput(4), state=rated, policy=LATEST) == r.RatingDecision(True, 2)


@pytest.mark.parametrize("policy", [ONCE, LATEST])
def test_a_real_rating_replaces_a_default_one_as_first_rating(policy: r.RatingPolicy) -> None:
    state = replace(OPEN, current=DEFAULT)
    assert check(r.RatingInput(5), state=state, policy=policy) == r.RatingDecision(True, 1)


@pytest.mark.parametrize(("status", "code"), [
    ("accepted", "evaluation.not_completed"),
    ("in_progress", "evaluation.not_completed"),
    ("withdrawn", "evaluation.withdrawn"),
])
def test_only_completed_handlings_are_rated(status: str, code: str) -> None:
    assert rejected(r.RatingInput(5), state=replace(OPEN, status=status)) == code


def test_supplementary_window_closes() -> None:
    assert check(r.RatingInput(5), state=replace(OPEN, rating_closes_at=NOW)).assess_number == 1
    closed = replace(OPEN, rating_closes_at=NOW - timedelta(seconds=1))
    assert rejected(r.RatingInput(5), state=closed) == "evaluation.window_closed"


def test_phone_invitation_rules() -> None:
    rating = r.RatingInput(5)
    assert check(rating, channel=Channel.PHONE, policy=LATEST,
                 entered_by=OFFICE).assess_number == 1
    assert rejected(rating, channel=Channel.PHONE, policy=ONCE, entered_by=OFFICE) == \
        "evaluation.phone_disabled"
    assert rejected(rating, channel=Channel.PHONE, policy=LATEST) == \
        "evaluation.phone_entry_forbidden"
    assert rejected(rating, channel=Channel.PHONE, policy=LATEST,
                    entered_by=r.EnteredBy(2, "window_staff")) == \
        "evaluation.phone_entry_forbidden"
    assert rejected(rating, channel=Channel.PHONE, policy=LATEST,
                    entered_by=r.EnteredBy(7, "supervisor")) == "evaluation.self_rating"


def test_default_channel_and_bad_assess_number_are_refused() -> None:
    assert rejected(r.RatingInput(3), channel=Channel.DEFAULT) == "evaluation.invalid_channel"
    assert rejected(r.RatingInput(3), assess_number=3) == "evaluation.invalid_assess_number"


def test_default_rating_never_overrides() -> None:
    assert r.default_rating_due(status="completed", current=None, default_level=3)
    assert not r.default_rating_due(status="completed", current=DEFAULT, default_level=3)
    assert not r.default_rating_due(status="completed", current=REAL_BAD, default_level=3)
    assert not r.default_rating_due(status="completed", current=None, default_level=None)
    assert not r.default_rating_due(status="withdrawn", current=None, default_level=3)


# --- properties ------------------------------------------------------------------------

channels = st.sampled_from([c for c in Channel if c not in (Channel.DEFAULT, Channel.PHONE)])


@st.composite
def valid_good_ratings(draw: st.DrawFn) -> r.RatingInput:
    level = draw(st.integers(3, 5))
    codes = [c for c, lv in ITEMS if lv == level]
    return r.RatingInput(
        level=level,
        item_levels=draw(st.dictionaries(st.sampled_from(["overall", "attitude"]),
                                         st.integers(1, 5))),
        content_codes=draw(st.lists(st.sampled_from(codes), unique=True)),
        text=draw(st.text(max_size=r.MAX_TEXT_CHARS)),
    )


@given(valid_good_ratings(), channels)
def test_any_good_rating_with_valid_codes_passes(rating: r.RatingInput,
                                                 channel: Channel) -> None:
    assert check(rating, channel=channel).assess_number == 1


@given(st.integers(1, 2), st.text(max_size=r.MIN_REASON_TEXT_CHARS - 1),
       st.sampled_from([c for c in Channel if c not in (Channel.SMS, Channel.DEFAULT,
                                                        Channel.PHONE)]))
def test_bad_rating_without_reason_always_fails_outside_sms(level: int, text: str,
                                                             channel: Channel) -> None:
    rating = r.RatingInput(level, text=text)
    assert rejected(rating, channel=channel) == "evaluation.reason_required"


@given(st.lists(st.tuples(st.integers(1, 5), st.booleans()), min_size=1, max_size=12),
       st.sampled_from([ONCE, LATEST]))
def test_superseding_chains_keep_exactly_one_current(steps: list[tuple[int, bool]],
                                                     policy: r.RatingPolicy) -> None:
    """Replay ratings (True: a default from the sweep) through the rules, applying each
    decision as the service does: exactly one row stays current, the last accepted one."""
    rows: list[dict[str, object]] = []
    for level, is_default in steps:
        current = next((x for x in rows if x["current"]), None)
        facts = None if current is None else r.CurrentRating(
            level=int(str(current["level"])), is_default=bool(current["default"]),
            invalidated=False, has_reason=True)
        if is_default:
            if not r.default_rating_due(status="completed", current=facts, default_level=3):
                continue
            rows.append({"level": 3, "default": True, "current": True})
            continue
        rating = r.RatingInput(level, text="原因说明五个字")
        state = replace(OPEN, current=facts)
        if policy is ONCE and facts is not None and not facts.is_default:
            with pytest.raises(r.RatingRejected) as exc:
                check(rating, state=state, policy=policy)
            assert exc.value.code == "evaluation.already_rated"
            continue
        decision = check(rating, state=state, policy=policy)
        if decision.supersedes:
            assert current is not None
            current["current"] = False
        else:
            assert current is None
        rows.append({"level": level, "default": False, "current": True})
    assert sum(1 for x in rows if x["current"]) == (1 if rows else 0)
    if rows:
        assert rows[-1]["current"]


def test_a_degraded_devices_bad_rating_needs_no_reason() -> None:
    """A four-key pad cannot give a reason: its 差评 is recorded (the work order's
    call-back asks the reason), on the hall channels only."""
    assert check(r.RatingInput(2), channel=Channel.EVALUATOR, degraded=True) == \
        r.RatingDecision(False, 1)
    assert check(r.RatingInput(2), channel=Channel.KIOSK, degraded=True).assess_number == 1
    assert rejected(r.RatingInput(2), channel=Channel.EVALUATOR) == \
        "evaluation.reason_required"
    for channel in (Channel.APP, Channel.WEB, Channel.SMS, Channel.PHONE):
        assert rejected(r.RatingInput(2), channel=channel, degraded=True) == \
            "evaluation.invalid_channel"


def test_a_degraded_rating_keeps_every_other_rule() -> None:
    assert rejected(r.RatingInput(2), channel=Channel.EVALUATOR, degraded=True,
                    state=replace(OPEN, current=REAL_GOOD)) == "evaluation.already_rated"
    assert rejected(r.RatingInput(4), channel=Channel.EVALUATOR, degraded=True,
                    state=replace(OPEN, status="accepted")) == "evaluation.not_completed"
