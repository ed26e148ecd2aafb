"""Every number and date a client sends to the API is bounded (issue 17, ``core.bounds``).

Walks the OpenAPI: each integer or number of a parameter or a request body declares a
minimum and a maximum, each date or date-time carries the product's calendar range. A new
endpoint with a bare ``int`` or ``date`` fails here, before a fuzzer finds its 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from haochaping.core.bounds import RANGE_KEY


def _openapi() -> dict[str, Any]:
    from haochaping.api import api

    return dict(api.get_openapi_schema())


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        *_, name = node["$ref"].split("/")
        node = spec["components"]["schemas"][name]
    return node


def _leaves(spec: dict[str, Any], node: dict[str, Any], where: str,
            seen: frozenset[str] = frozenset()) -> Iterator[tuple[str, dict[str, Any]]]:
    ref = node.get("$ref")
    if ref in seen:
        return
    seen = seen | {ref} if ref else seen
    node = _resolve(spec, node)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key, []):
            yield from _leaves(spec, option, where, seen)
    for name, prop in node.get("properties", {}).items():
        yield from _leaves(spec, prop, f"{where}.{name}", seen)
    if "items" in node:
        yield from _leaves(spec, node["items"], f"{where}[]", seen)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        yield from _leaves(spec, extra, f"{where}{{}}", seen)
    yield where, node


def _inputs(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            label = f"{method.upper()} {path}"
            for param in op.get("parameters", []):
                yield from _leaves(spec, param["schema"], f"{label} {param['name']}")
            for media in op.get("requestBody", {}).get("content", {}).values():
                yield from _leaves(spec, media["schema"], f"{label} body")


def _unbounded(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    if kind in ("integer", "number"):
        low = "minimum" in node or "exclusiveMinimum" in node
        high = "maximum" in node or "exclusiveMaximum" in node
        return not (low and high)
    if kind == "string" and node.get("format") in ("date", "date-time"):
        return RANGE_KEY not in node
    return False


def test_every_number_and_date_sent_to_the_api_is_bounded() -> None:
    spec = _openapi()
    loose = sorted({where for where, node in _inputs(spec) if _unbounded(node)})
    assert loose == []


def test_the_walk_sees_numbers_and_dates() -> None:
    """The check above looks at something: the API has bounded integers and dates."""
    kinds = {(n.get("type"), n.get("format")) for _, n in _inputs(_openapi())}
    assert ("integer", None) in kinds
    assert ("string", "date") in kinds


def test_no_two_schemas_share_a_name_in_the_openapi() -> None:
    """The OpenAPI keys its components by class name: a second ``OrgOut`` or ``WindowOut``
    silently replaced the first, and the documented answers of other endpoints with it
    (found by the fuzz run)."""
    from ninja import Schema

    components = set(_openapi()["components"]["schemas"])
    seen: dict[str, set[str]] = {}
    pending = list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("haochaping") and cls.__name__ in components:
            seen.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: places for name, places in seen.items() if len(places) > 1} == {}
