"""Concrete outputs pinned against NATIONAL.md, and each lossy case stated."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from haochaping.catalog.rules.standards import Channel
from haochaping.core.localtime import SHANGHAI
from haochaping.exchange.rules.canonical import (
    HandlingRecord,
    Identity,
    Kind,
    RatingRecord,
    ResultRecord,
    Stage,
)
from haochaping.exchange.rules.errors import MappingError
from haochaping.exchange.rules.mapping import from_remote, normalise, to_remote
from haochaping.exchange.rules.profiles import shipped_profile

AT = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)  # 17:30 in Beijing
NATIONAL, ZHEJIANG, ANHUI, JIANGXI = (shipped_profile(n) for n in
                                      ("national", "zhejiang", "anhui", "jiangxi"))


def rating(**changes: Any) -> RatingRecord:
    return replace(RatingRecord(
        rating_id="R1", proj_no="P1", org_code="11330100002482171X", region_code="330106001000",
        channel="web", level=5, content_codes=("510", "517"), text="", assessed_at=AT,
        assess_number=1, is_default=False, stage_code="",
        rater=Identity(name="张三", cert_no="110101199001011234", phone="13800000000")),
        **changes)


def handling(**changes: Any) -> HandlingRecord:
    return replace(HandlingRecord(
        proj_no="P1", matter_code="M1", matter_name="营业执照", matter_version="3",
        org_code="11330100002482171X", org_name="市市场监管局", region_code="330106000000",
        status="completed", handling_type="promised", accepted_at=AT, completed_at=AT,
        staff_name="李四", applicant=Identity(cert_no="110101199001011234"), source="SYS1",
        stages=(Stage(code="accept", name="受理", at=AT),)), **changes)


def _error(profile: Any, record: Any) -> MappingError:
    with pytest.raises(MappingError) as caught:
        to_remote(profile, record)
    return caught.value


def test_levels_in_both_directions() -> None:
    """Level 5 is satisfaction 5 on the interface but GB/T 39046 code 1 (Anhui)."""
    assert [to_remote(NATIONAL, rating(level=v))["satisfaction"] for v in (5, 4, 3, 2, 1)] \
        == ["5", "4", "3", "2", "1"]
    assert [to_remote(ANHUI, rating(level=v))["satisfaction"] for v in (5, 4, 3, 2, 1)] \
        == ["1", "2", "3", "4", "5"]
    wire = to_remote(ANHUI, rating(level=1))
    assert from_remote(ANHUI, Kind.RATING, {**wire, "satisfaction": 5}).level == 1


def test_channel_tables() -> None:
    assert to_remote(NATIONAL, rating(channel="sms"))["pf"] == "7"
    assert to_remote(ZHEJIANG, rating(channel="sms"))["pf"] == "6"
    assert to_remote(ANHUI, rating(channel="evaluator"))["pf"] == "PJQ"
    assert [to_remote(NATIONAL, rating(channel=c))["pf"] for c in
            ("web", "app", "qr_code", "evaluator", "kiosk", "phone")] == list("123456")


def test_default_rating() -> None:
    """Zhejiang codes it 7. The national table has no code: a default rating goes with
    an empty pf, and an empty pf reads back as a default rating."""
    default = rating(channel=Channel.DEFAULT.value, is_default=True, level=3)
    assert to_remote(ZHEJIANG, default)["pf"] == "7"
    wire = to_remote(NATIONAL, default)
    assert wire["pf"] == ""
    back = from_remote(NATIONAL, Kind.RATING, wire)
    assert back.channel == "default"
    assert back.is_default is True
    assert from_remote(ZHEJIANG, Kind.RATING, to_remote(ZHEJIANG, default)) == default
    with pytest.raises(MappingError) as caught:
        from_remote(ZHEJIANG, Kind.RATING, {**to_remote(ZHEJIANG, default), "pf": ""})
    assert caught.value.code == "exchange.bad_code"
    with pytest.raises(MappingError) as caught:
        from_remote(NATIONAL, Kind.RATING, {k: v for k, v in wire.items() if k != "pf"})
    assert caught.value.code == "exchange.missing_field"  # absent is not empty


def test_shared_codes_fold_to_the_first_value() -> None:
    """National pf 2 is app and mini program, 6 phone and hotline: normalised first."""
    for ours, folded in (("mini_program", "app"), ("hotline", "phone")):
        record = rating(channel=ours)
        assert normalise(NATIONAL, record) == rating(channel=folded)
        assert from_remote(NATIONAL, Kind.RATING, to_remote(NATIONAL, record)).channel == folded
    assert normalise(ANHUI, rating(channel="mini_program")).channel == "mini_program"


def test_a_channel_without_code_is_refused_before_sending() -> None:
    error = _error(ZHEJIANG, rating(channel="phone"))
    assert error.code == "exchange.unmapped"
    assert error.field == "channel"
    assert "phone" in error.message
    assert "zhejiang" in error.message


def test_six_digit_regions() -> None:
    """Anhui sends the county; a township reads back as its county."""
    record = rating(region_code="330106001000")
    assert to_remote(ANHUI, record)["regionCode"] == "330106"
    assert to_remote(NATIONAL, record)["regionCode"] == "330106001000"
    assert normalise(ANHUI, record).region_code == "330106000000"
    assert from_remote(ANHUI, Kind.RATING, to_remote(ANHUI, record)).region_code == "330106000000"
    # Our 6-digit code is the county too.
    assert normalise(NATIONAL, rating(region_code="330106")).region_code == "330106000000"
    assert _error(NATIONAL, rating(region_code="3301")).code == "exchange.bad_value"


def test_times() -> None:
    assert to_remote(NATIONAL, rating())["assessTime"] == "2026-05-01 17:30:00"
    assert to_remote(ANHUI, rating())["assessTime"] == 1777627800000
    back = from_remote(NATIONAL, Kind.RATING, to_remote(NATIONAL, rating()))
    assert back.assessed_at == AT
    assert back.assessed_at.tzinfo == SHANGHAI
    with_fraction = rating(assessed_at=AT.replace(microsecond=999_999))
    assert normalise(NATIONAL, with_fraction).assessed_at == AT
    assert _error(NATIONAL, rating(assessed_at=datetime(2026, 5, 1))).code == "exchange.bad_value"


def test_national_field_names_and_codes() -> None:
    wire = to_remote(NATIONAL, handling())
    assert {k: wire[k] for k in ("projectNo", "taskCode", "proStatus", "projectType",
                                 "orgcode", "proManager", "userPageType", "certKey",
                                 "regionCode", "dataSource", "version")} == {
        "projectNo": "P1", "taskCode": "M1", "proStatus": "3", "projectType": "2",
        "orgcode": "11330100002482171X", "proManager": "李四", "userPageType": "111",
        "certKey": "110101199001011234", "regionCode": "330106000000", "dataSource": "SYS1",
        "version": "2"}
    assert wire["nodes"] == [{"nodeCode": "accept", "nodeName": "受理",
                              "nodeTime": "2026-05-01 17:30:00", "isService": "1"}]
    assert to_remote(NATIONAL, rating())["evalDetail"] == "510,517"
    assert to_remote(NATIONAL, rating(anonymous=True))["anonymityFlag"] == "1"
    result = ResultRecord(order_no="WO1", rating_id="R1", proj_no="P1", org_code="X",
                          content="已整改", rectified_at=AT, satisfied=None, closed_at=AT)
    assert to_remote(NATIONAL, result)["reformContent"] == "已整改"
    assert to_remote(NATIONAL, result)["reformSatisfaction"] == ""


def test_aliases_accepted_inbound() -> None:
    wire = to_remote(NATIONAL, handling())
    wire["bjbh"] = wire.pop("projectNo")
    wire["applicantCardNumber"] = wire.pop("certKey")
    wire["deptCode"] = wire.pop("orgcode")
    assert from_remote(NATIONAL, Kind.HANDLING, wire) == handling()
    zj = to_remote(ZHEJIANG, handling())
    assert "projNo" in zj
    assert "applicantCardNumber" in zj
    # National names read by the Zhejiang profile: it carries no stages, and the org's
    # name is its deptName (orgName is no alias of it).
    assert from_remote(ZHEJIANG, Kind.HANDLING, wire) == replace(handling(), stages=(),
                                                                 org_name="")


def test_inbound_refusals_name_the_field() -> None:
    wire = to_remote(NATIONAL, rating())
    cases = [({**wire, "pf": "9"}, "exchange.bad_code", "pf"),
             ({**wire, "satisfaction": "0"}, "exchange.bad_code", "satisfaction"),
             ({**wire, "projectNo": ""}, "exchange.missing_field", "projectNo"),
             ({**wire, "assessTime": "2026/05/01"}, "exchange.bad_value", "assessTime"),
             ({**wire, "anonymityFlag": "yes"}, "exchange.bad_value", "anonymityFlag"),
             ({**wire, "assessNumber": "0"}, "exchange.bad_value", "assessNumber"),
             ({**wire, "regionCode": "33"}, "exchange.bad_value", "regionCode"),
             ({**wire, "writingEvaluation": 5}, "exchange.bad_value", "writingEvaluation")]
    for data, code, field in cases:
        with pytest.raises(MappingError) as caught:
            from_remote(NATIONAL, Kind.RATING, data)
        assert (caught.value.code, caught.value.field) == (code, field)
        assert field in caught.value.message


def test_lenient_inbound_types() -> None:
    """Numbers for codes and flags, JSON booleans, absent optional fields."""
    wire = to_remote(NATIONAL, rating())
    data = {**wire, "satisfaction": 5, "pf": 1, "anonymityFlag": False, "assessNumber": 1}
    del data["writingEvaluation"], data["invalidTime"]
    assert from_remote(NATIONAL, Kind.RATING, data) == rating()


def test_required_identity_both_ways() -> None:
    """Jiangxi requires the rater's ID number; the national profile does not."""
    anonymous = rating(rater=Identity())
    error = _error(JIANGXI, anonymous)
    assert (error.code, error.field) == ("exchange.missing_field", "rater.cert_no")
    assert to_remote(NATIONAL, anonymous)["certKey"] == ""
    wire = to_remote(JIANGXI, rating())
    with pytest.raises(MappingError) as caught:
        from_remote(JIANGXI, Kind.RATING, {**wire, "certKey": ""})
    assert caught.value.field == "certKey"


def test_fields_a_profile_does_not_carry_read_back_neutral() -> None:
    record = rating(stage_code="accept")
    assert "nodeCode" not in to_remote(ZHEJIANG, record)
    assert normalise(ZHEJIANG, record).stage_code == ""
    assert from_remote(ZHEJIANG, Kind.RATING, to_remote(ZHEJIANG, record)).stage_code == ""


def test_unsupported_kind() -> None:
    result = ResultRecord(order_no="WO1", rating_id="R1", proj_no="P1", org_code="X",
                          content="c", rectified_at=AT, satisfied=True, closed_at=AT)
    assert _error(ANHUI, result).code == "exchange.unsupported_kind"
