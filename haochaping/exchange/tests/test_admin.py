"""An office adds a profile through the admin, without code, and maps with it; remotes are
checked against their profile. Saves are audited; refusals change nothing."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.core.errors import NotFound
from haochaping.exchange.models import ProfileDoc, Remote
from haochaping.exchange.profiles_store import profile_get, profile_names
from haochaping.exchange.rules.canonical import Identity, Kind, RatingRecord
from haochaping.exchange.rules.mapping import from_remote, to_remote
from haochaping.exchange.rules.profiles import shipped_document

pytestmark = pytest.mark.django_db

DOCS = "/admin/exchange/profiledoc/"
REMOTES = "/admin/exchange/remote/"
AT = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def henan_body() -> dict[str, Any]:
    """What an office types: the national profile with its own pf field, pad and default
    codes, the GB/T 39046 level direction, ratings only."""
    body = copy.deepcopy(shipped_document("national"))
    del body["name"], body["label"]
    body["notes"] = ["河南省平台：评价器代码 PAD，默认评价 9。"]
    body["codes"]["channel"] = {"base": "national", "codes": {"evaluator": "PAD", "default": "9"}}
    body["codes"]["level"] = "gb39046"
    body["kinds"] = {"rating": body["kinds"]["rating"]}
    body["kinds"]["rating"]["fields"]["channel"] = ["channelCode", "pf"]
    body["count"]["kind_codes"] = {"rating": "evaluation"}
    return body


def _add_doc(client: Client, name: str, body: Any) -> Any:
    return client.post(f"{DOCS}add/", {"name": name, "label": "河南省政务服务平台",
                                       "body": json.dumps(body, ensure_ascii=False)})


def rating() -> RatingRecord:
    return RatingRecord(
        rating_id="R1", proj_no="P1", org_code="X1", region_code="410105000000",
        channel="evaluator", level=5, content_codes=("517",), text="", assessed_at=AT,
        assess_number=1, is_default=False, stage_code="", rater=Identity())


def test_an_office_adds_a_profile_and_maps_with_it(client: Client,
                                                   personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    page = client.get(f"{DOCS}add/?base=zhejiang").content.decode()
    assert "openapi/hcp/evaluation" in page  # starts from the shipped document asked for
    assert _add_doc(client, "henan", henan_body()).status_code == 302
    assert "henan" in profile_names()
    profile = profile_get("henan")
    wire = to_remote(profile, rating())
    assert (wire["channelCode"], wire["satisfaction"]) == ("PAD", "1")
    wire["pf"] = wire.pop("channelCode")  # the alias is accepted inbound
    assert from_remote(profile, Kind.RATING, wire) == rating()
    event = AuditEvent.objects.get(action="exchange.profile_save")
    assert event.after["name"] == "henan"
    assert len(event.after["body"]) == 64  # the body's SHA-256, not the body
    change = client.get(f"{DOCS}{ProfileDoc.objects.get().pk}/change/").content.decode()
    assert "/api/exchange/evaluations" in change  # the summary


def test_a_bad_profile_is_refused_on_the_form(client: Client, personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    body = henan_body()
    body["kinds"]["rating"]["fields"]["chanel"] = body["kinds"]["rating"]["fields"].pop("channel")
    response = _add_doc(client, "henan", body)
    assert response.status_code == 200
    assert "kinds.rating.fields.channel" in response.content.decode()  # the missing key
    assert not ProfileDoc.objects.exists()
    assert not AuditEvent.objects.filter(action="exchange.profile_save").exists()
    other = {**henan_body(), "name": "shandong"}
    assert "与对接规范名称" in _add_doc(client, "henan", other).content.decode()
    assert not ProfileDoc.objects.exists()


def test_only_the_system_admin_edits_profiles(client: Client, personas: SimpleNamespace) -> None:
    client.force_login(personas.supervisor)
    assert _add_doc(client, "henan", henan_body()).status_code == 403
    assert not ProfileDoc.objects.exists()


def test_a_doc_replaces_the_shipped_profile_of_its_name(client: Client,
                                                        personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    body = shipped_document("national")
    body["codes"]["level"] = "gb39046"
    assert _add_doc(client, "national", body).status_code == 302
    assert to_remote(profile_get("national"), rating())["satisfaction"] == "1"
    doc = ProfileDoc.objects.get(name="national")
    assert client.post(f"{DOCS}{doc.pk}/delete/", {"post": "yes"}).status_code == 302
    assert to_remote(profile_get("national"), rating())["satisfaction"] == "5"
    assert AuditEvent.objects.filter(action="exchange.profile_delete").count() == 1


def _remote(**changes: Any) -> dict[str, Any]:
    data = {"name": "ha-province", "label": "河南省平台", "profile": "henan",
            "base_url": "https://hcp.example.gov.cn", "key_env": "HA", "is_active": "on",
            "batch_size": "50", "rate_per_second": "10", "timeout_seconds": "10"}
    data.update(changes)
    return data


def test_remotes_are_checked_against_their_profile(client: Client,
                                                   personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    assert _add_doc(client, "henan", henan_body()).status_code == 302
    refusals = [(_remote(profile="atlantis"), "atlantis"),
                (_remote(kinds=["result"]), "不交换 result"),
                (_remote(batch_size="500"), "不能超过对接规范允许的 100 条"),
                (_remote(key_env="ha-1"), "密钥环境变量名")]
    for data, fragment in refusals:
        response = client.post(f"{REMOTES}add/", data)
        assert response.status_code == 200
        assert fragment in response.content.decode()
    assert not Remote.objects.exists()
    assert client.post(f"{REMOTES}add/", _remote(kinds=["rating"])).status_code == 302
    remote = Remote.objects.get()
    assert (remote.profile, remote.kinds) == ("henan", ["rating"])
    assert AuditEvent.objects.filter(action="exchange.remote_save").count() == 1
    page = client.get(f"{REMOTES}{remote.pk}/change/").content.decode()
    assert "HCP_EXCHANGE_HA_HMAC" in page  # the key status names the variable to set


def test_a_profile_in_use_is_not_deleted(client: Client, personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    _add_doc(client, "henan", henan_body())
    client.post(f"{REMOTES}add/", _remote())
    doc = ProfileDoc.objects.get()
    response = client.post(f"{DOCS}{doc.pk}/delete/", {"post": "yes"}, follow=True)
    assert "仍被对接平台使用" in response.content.decode()
    assert ProfileDoc.objects.filter(pk=doc.pk).exists()


def test_an_unknown_profile_name() -> None:
    with pytest.raises(NotFound) as caught:
        profile_get("atlantis")
    assert caught.value.code == "exchange.unknown_profile"
    assert "atlantis" in caught.value.message
    assert profile_names() == ["anhui", "jiangxi", "national", "zhejiang"]
