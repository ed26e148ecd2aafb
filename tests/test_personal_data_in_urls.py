"""Personal data never in URLs (issue 17, "Raters protected"): no API parameter, URL
pattern or GET form of a screen is named like a phone, ID number or person's name; a
request whose query string carries one is refused before any view reads it; the rater
look-up of the app API takes them in its body."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from haochaping.core.pii import is_personal_param
from haochaping.evaluations.tests import factories as ef

ROOT = Path(__file__).resolve().parents[1] / "haochaping"
PHONE, ID_NO = "13812341234", "11010519491231002X"
REFUSED = "request.personal_data_in_url"


def _openapi_parameters() -> Iterator[tuple[str, str, str]]:
    from haochaping.api import api

    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                yield f"{method.upper()} {path}", param["in"], param["name"]


def test_no_api_parameter_in_a_url_is_personal_data() -> None:
    params = list(_openapi_parameters())
    assert len(params) > 100  # the walk sees the API
    bad = [p for p in params if p[1] in ("query", "path") and is_personal_param(p[2])]
    assert bad == []


def _patterns(resolvers: list[Any], prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        names = list(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            yield route, names
            yield from _patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, names


def test_no_url_pattern_carries_personal_data() -> None:
    routes = list(_patterns(get_resolver().url_patterns))
    assert any("q/w/" in route for route, _ in routes)
    bad = [(route, names) for route, names in routes
           if any(is_personal_param(n) for n in names)]
    assert bad == []


FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)
INPUT_NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"(?P<name>[^\"{]+)\"", re.I)
HX_GET_INPUT = re.compile(r"<(?:input|select|textarea)\b[^>]*\bhx-get=[^>]*>", re.I)


def test_no_screen_sends_personal_data_in_a_query_string() -> None:
    """A form without ``method="post"`` submits its fields in the URL; an input with
    ``hx-get`` sends its own value there."""
    bad = []
    templates = list(ROOT.rglob("templates/**/*.html"))
    assert len(templates) > 50
    for template in templates:
        text = template.read_text(encoding="utf-8")
        for form in FORM.finditer(text):
            if re.search(r"method=\"post\"", form["attrs"], re.I) or "hx-post" in form["attrs"]:
                continue
            bad += [(template.name, m["name"]) for m in INPUT_NAME.finditer(form["body"])
                    if is_personal_param(m["name"])]
        for tag in HX_GET_INPUT.finditer(text):
            name = INPUT_NAME.search(tag.group(0))
            if name and is_personal_param(name["name"]):
                bad.append((template.name, name["name"]))
    assert bad == []


@pytest.mark.parametrize("name", ["phone", "id_no", "mobile", "rater_name", "applicant_name",
                                  "idCard", "tel", "email", "rater_phone"])
def test_personal_parameter_names(name: str) -> None:
    assert is_personal_param(name)


@pytest.mark.parametrize("name", ["name", "q", "page", "org", "code", "ref", "status",
                                  "big", "period", "window", "staff", "hotel", "paid_notes"])
def test_ordinary_parameter_names(name: str) -> None:
    assert not is_personal_param(name)


@pytest.fixture
def app(locality: SimpleNamespace) -> SimpleNamespace:
    client, key = ef.make_client(locality.city_office)
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    rater = ef.make_rater()
    handling = ef.make_handling(locality, client=source, rater=rater)
    return SimpleNamespace(key=key, handling=handling)


def test_the_rater_look_up_takes_the_phone_in_the_body(app: SimpleNamespace) -> None:
    response = Client().post("/api/v1/raters/handlings", {"phone": PHONE},
                             content_type="application/json", HTTP_X_API_KEY=app.key)
    assert response.status_code == 200
    assert [row["proj_no"] for row in response.json()] == [app.handling.proj_no]
    response = Client().post("/api/v1/raters/handlings", {"id_no": ID_NO.lower()},
                             content_type="application/json", HTTP_X_API_KEY=app.key)
    assert [row["proj_no"] for row in response.json()] == [app.handling.proj_no]
    assert PHONE not in response.content.decode()


@pytest.mark.parametrize("query", [{"phone": PHONE}, {"id_type": "111", "id_no": ID_NO},
                                   {"phone": "13900000000"}, {}])
def test_the_former_get_is_refused_without_reading_the_value(app: SimpleNamespace,
                                                             query: dict[str, str]) -> None:
    """A known phone, an unknown one and none at all get the same answer: the value is
    never looked up."""
    response = Client().get("/api/v1/raters/handlings", query, HTTP_X_API_KEY=app.key)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == REFUSED
    assert "个人信息" in body["message"]
    assert PHONE not in response.content.decode()
    assert ID_NO not in response.content.decode()


@pytest.mark.parametrize("url", ["/work/complaints/entry/", "/tousu/track/", "/tousu/",
                                 "/work/phone/", "/", "/open311/v2/requests.json"])
def test_screens_refuse_personal_data_in_the_query_string(
        url: str, personas: SimpleNamespace, locality: SimpleNamespace) -> None:
    client = Client()
    client.force_login(personas.supervisor)
    response = client.get(url, {"phone": PHONE, "q": "x"})
    assert response.status_code == 400
    text = response.content.decode()
    assert REFUSED in text
    assert PHONE not in text
    window = Client().get(f"/q/w/{locality.window.code}/start", {"mobile": PHONE})
    assert window.status_code == 400
    posted = Client().post(f"/q/w/{locality.window.code}/start?id_no={ID_NO}",
                           {"phone": PHONE})
    assert posted.status_code == 400  # the method does not matter: the URL is logged


def test_ordinary_queries_still_work(personas: SimpleNamespace) -> None:
    client = Client()
    client.force_login(personas.supervisor)
    assert client.get("/", {"q": "食品"}).status_code == 200
