"""Profile documents: the shipped ones parse and document themselves; every bad key is
refused with its path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.errors import ProfileError
from haochaping.exchange.rules.fields import SCHEMA
from haochaping.exchange.rules.profiles import (
    profile_parse,
    shipped_document,
    shipped_names,
    shipped_profile,
)


def doc(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(shipped_document("national"))
    data.update(changes)
    return data


def refused(data: Any) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        profile_parse(data)
    assert caught.value.message  # Chinese, shown on the admin form
    return caught.value


def test_shipped_profiles_parse_and_document_themselves() -> None:
    assert set(shipped_names()) == {"national", "zhejiang", "anhui", "jiangxi"}
    for name in shipped_names():
        profile = shipped_profile(name)
        assert profile.name == name
        assert profile.label
        assert profile.notes
        for spec in profile.kinds.values():  # every canonical field is named or left out
            assert set(spec.fields) == set(SCHEMA[spec.kind])


def test_shipped_profiles_differ_where_the_provinces_do() -> None:
    national, zhejiang, anhui, jiangxi = (shipped_profile(n) for n in
                                          ("national", "zhejiang", "anhui", "jiangxi"))
    assert national.tables["channel"].codes["sms"] == "7"
    assert zhejiang.tables["channel"].codes["default"] == "7"
    assert anhui.tables["level"].codes["5"] == "1"
    assert (anhui.region_digits, anhui.envelope.max_items, anhui.count) == (6, 1, None)
    assert (jiangxi.signing.alg, jiangxi.encryption.alg, jiangxi.encryption.mode) == \
        ("sm2-sm3", "sm4", "cbc")
    assert zhejiang.signing.carrier == "body"
    assert set(anhui.kinds) == {Kind.HANDLING, Kind.RATING}
    assert national.tables["channel"].folds() == {"mini_program": "app", "hotline": "phone"}


def test_the_parse_equals_for_equal_documents() -> None:
    assert profile_parse(doc()) == shipped_profile("national")
    assert profile_parse(doc(label="另一个")) != shipped_profile("national")


@pytest.mark.parametrize(("changes", "code", "path"), [
    ({"name": "Bad Name"}, "exchange.profile.bad_value", "name"),
    ({"label": ""}, "exchange.profile.bad_value", "label"),
    ({"colour": "red"}, "exchange.profile.unknown_key", "colour"),
    ({"date_format": "dd/MM/yyyy"}, "exchange.profile.bad_value", "date_format"),
    ({"date_format": "yyyy-MM-dd HH:mm:ss Z"}, "exchange.profile.bad_value", "date_format"),
    ({"timezone": "Mars/Olympus"}, "exchange.profile.bad_value", "timezone"),
    ({"region_digits": 9}, "exchange.profile.bad_value", "region_digits"),
    ({"booleans": {"true": "1", "false": "1"}}, "exchange.profile.bad_value", "booleans"),
    ({"list_separator": "a"}, "exchange.profile.bad_value", "list_separator"),
    ({"format": 2}, "exchange.profile.bad_value", "format"),
])
def test_top_level_refusals(changes: dict[str, Any], code: str, path: str) -> None:
    error = refused(doc(**changes))
    assert (error.code, error.path) == (code, path)
    assert path in error.message


def _edit(path: str, value: Any) -> dict[str, Any]:
    """The national document with the value at a dotted path replaced (None deletes)."""
    data = doc()
    *parents, last = path.split("/")
    node = data
    for part in parents:
        node = node[part]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return data


@pytest.mark.parametrize(("path", "value", "code", "error_path"), [
    ("kinds/rating/fields/channel", None, "exchange.profile.missing_key",
     "kinds.rating.fields.channel"),
    ("kinds/rating/fields/chanel", "pf", "exchange.profile.unknown_key",
     "kinds.rating.fields.chanel"),
    ("kinds/rating/fields/proj_no", [], "exchange.profile.bad_value",
     "kinds.rating.fields.proj_no"),
    ("kinds/rating/fields/level", "has space", "exchange.profile.bad_value",
     "kinds.rating.fields.level"),
    ("kinds/rating/fields/text", "pf", "exchange.profile.duplicate_name",
     "kinds.rating.fields.text"),
    ("kinds/rating/fields/text", "dataId", "exchange.profile.duplicate_name",
     "kinds.rating.fields.text"),
    ("kinds/rating/required", ["colour"], "exchange.profile.bad_value", "kinds.rating.required[0]"),
    ("kinds/rating/path", "api", "exchange.profile.bad_value", "kinds.rating.path"),
    ("kinds/appeal", {}, "exchange.profile.bad_value", "kinds.appeal"),
    ("kinds/handling/fields/stages", None, "exchange.profile.missing_key",
     "kinds.handling.fields.stages"),
    ("kinds/handling/constants", {"projectNo": "x"}, "exchange.profile.duplicate_name",
     "kinds.handling.constants.projectNo"),
    ("codes/level", "upside-down", "exchange.profile.bad_value", "codes.level"),
    ("codes/level", {"base": "satisfaction", "codes": {"5": "4"}}, "exchange.profile.bad_value",
     "codes.level"),
    ("codes/status", {"codes": {"pending": "1"}}, "exchange.profile.bad_value", "codes.status"),
    ("codes/channel", {"base": "national", "codes": {"telepathy": "9"}},
     "exchange.profile.bad_value", "codes.channel.codes.telepathy"),
    ("codes/channel", {"base": "national", "codes": {"web": 1}}, "exchange.profile.bad_value",
     "codes.channel.codes.web"),
    ("codes/complaint_kind", None, "exchange.profile.bad_value", "codes.complaint_kind"),
    ("codes/colours", "national", "exchange.profile.bad_value", "codes.colours"),
    ("envelope/max_items", 0, "exchange.profile.bad_value", "envelope.max_items"),
    ("envelope/items", None, "exchange.profile.missing_key", "envelope.items"),
    ("answer/ok", [], "exchange.profile.bad_value", "answer.ok"),
    ("signing/alg", "md5", "exchange.profile.bad_value", "signing.alg"),
    ("signing/nonce", "X-Hcp-Timestamp", "exchange.profile.duplicate_name", "signing"),
    ("signing/skew_seconds", 0, "exchange.profile.bad_value", "signing.skew_seconds"),
    ("encryption/alg", "aes", "exchange.profile.bad_value", "encryption.alg"),
    ("count/kind", "total", "exchange.profile.duplicate_name", "count"),
    ("count/day_format", "yyyy-MM-dd HH", "exchange.profile.bad_value", "count.day_format"),
])
def test_nested_refusals_name_the_key(path: str, value: Any, code: str, error_path: str) -> None:
    error = refused(_edit(path, value))
    assert (error.code, error.path) == (code, error_path)


def test_encryption_names_identity_fields_only() -> None:
    sm4 = {"alg": "sm4", "mode": "cbc", "fields": ["rater.cert_no", "rater.level"]}
    assert refused(_edit("encryption", sm4)).path == "encryption.fields[1]"
    assert refused(_edit("encryption", {**sm4, "fields": []})).path == "encryption.fields"
    assert refused(_edit("encryption", {**sm4, "mode": "ofb"})).path == "encryption.mode"
    profile = profile_parse(_edit("encryption", {**sm4, "fields": ["rater.cert_no"]}))
    assert profile.encryption.fields == frozenset({"rater.cert_no"})


def test_single_item_profiles() -> None:
    data = _edit("envelope", {"items": None, "key": "dataId", "max_items": 5})
    assert refused(data).path == "envelope.max_items"
    data = _edit("envelope", {"items": None, "key": "dataId", "max_items": 1})
    data["signing"]["carrier"] = "body"
    assert refused(data).path == "signing.carrier"


def test_not_an_object() -> None:
    assert refused([1, 2]).code == "exchange.profile.bad_value"
    assert refused(_edit("kinds", {})).path == "kinds"
    assert refused(_edit("kinds/rating", "x")).path == "kinds.rating"


def test_stages_left_out_need_their_fields_left_out() -> None:
    data = doc()
    data["kinds"]["handling"]["fields"]["stages"] = None
    assert refused(data).path == "kinds.handling.fields.stages.code"
    for sub in ("code", "name", "at", "is_service"):
        data["kinds"]["handling"]["fields"][f"stages.{sub}"] = None
    assert profile_parse(data).kinds[Kind.HANDLING].fields["stages"].name is None


def test_unknown_shipped_name() -> None:
    with pytest.raises(ProfileError) as caught:
        shipped_document("atlantis")
    assert caught.value.code == "exchange.unknown_profile"
