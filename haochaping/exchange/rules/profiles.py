"""Profiles as data: parse and check a profile document; the shipped profiles. Pure.

A profile says everything that differs between remotes: per kind the endpoint, field
names and aliases, required fields and constant fields; code tables; time and region
formats; the envelope, the answer, the count endpoint; signing and field encryption.
:func:`profile_parse` checks all of it and raises :class:`ProfileError` naming the bad key,
so a profile an office adds (``ProfileDoc``) is refused before it is saved. The format is
documented in docs/exchange.md "Profiles"; the shipped documents are
``exchange/profiles/*.json``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.errors import ProfileError
from haochaping.exchange.rules.fields import SCHEMA, TABLES, identity_paths, tables_of
from haochaping.exchange.rules.formats import EPOCH_FORMATS, time_pattern
from haochaping.exchange.rules.profile_reader import (
    DUPLICATE_NAME,
    REQUIRED_KEY,
    Section,
    bad,
    check_name,
    join,
)
from haochaping.exchange.rules.profile_schema import (
    ENCODINGS,
    HMAC_SHA256,
    SIGNING_ALGS,
    SM4_MODES,
    Answer,
    CodeTable,
    CountSpec,
    Encryption,
    Envelope,
    FieldMap,
    KindSpec,
    Profile,
    Signing,
)

FORMAT_VERSION = 1
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
__all__ = ["Profile", "ProfileError", "profile_parse", "shipped_profile", "shipped_names"]


def profile_parse(data: object) -> Profile:
    """The profile a document describes; ProfileError (code, Chinese message, ``path`` of
    the bad key) when anything in it is missing, unknown or invalid."""
    doc = Section(data, "")
    doc.integer("format", FORMAT_VERSION, FORMAT_VERSION, FORMAT_VERSION)
    name = doc.text("name")
    if not set(name) <= NAME_CHARS or len(name) > 40:
        raise bad("name", "名称只能由小写字母、数字、- 和 _ 组成，最长 40 个字符")
    label = doc.text("label")
    notes = doc.texts("notes", [])
    date_format = _date_format(doc)
    zone = doc.text("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad("timezone", "未知的时区") from None
    region_digits = doc.raw("region_digits", 12)
    if region_digits not in (6, 12) or isinstance(region_digits, bool):
        raise bad("region_digits", "应为 6 或 12")
    booleans = doc.section("booleans", {"true": "1", "false": "0"})
    true, false = booleans.text("true"), booleans.text("false")
    booleans.done()
    if true == false:
        raise bad("booleans", "true 与 false 的代码不能相同")
    separator = doc.raw("list_separator", ",")
    if separator is not None and (not isinstance(separator, str) or len(separator) != 1
                                  or separator.isalnum()):
        raise bad("list_separator", "应为一个非字母数字的字符，或 null（JSON 数组）")
    envelope = _envelope(doc.section("envelope"))
    kinds = _kinds(doc.section("kinds"), envelope)
    used = set().union(*(tables_of(k) for k in kinds))
    tables = _tables(doc.section("codes", {}), used)
    profile = Profile(
        name=name, label=label, notes=notes, kinds=MappingProxyType(kinds),
        tables=MappingProxyType(tables), booleans=(true, false), list_separator=separator,
        region_digits=region_digits, date_format=date_format, timezone=zone,
        envelope=envelope, answer=_answer(doc.section("answer")),
        count=_count(doc, kinds), signing=_signing(doc.section("signing"), envelope),
        encryption=_encryption(doc.section("encryption"), kinds))
    doc.done()
    return profile


def _date_format(doc: Section) -> str:
    raw = doc.text("date_format")
    try:
        return time_pattern(raw)
    except ValueError as exc:
        raise bad("date_format", str(exc)) from None


def _envelope(sec: Section) -> Envelope:
    items = sec.opt_text("items", REQUIRED_KEY)
    if items is not None:
        check_name(items, sec.at("items"))
    key = check_name(sec.raw("key"), sec.at("key"))
    max_items = sec.integer("max_items", 1, 10_000)
    sec.done()
    if items is None and max_items != 1:
        raise bad(sec.at("max_items"), "没有列表字段（items 为 null）时每次只能发送 1 条")
    return Envelope(items=items, key=key, max_items=max_items)


def _names(value: object, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (check_name(value, path),)
    if isinstance(value, list) and value:
        return tuple(check_name(v, f"{path}[{i}]") for i, v in enumerate(value))
    raise bad(path, "应为字段名、字段名列表（第一个为发送名，其余为接收时接受的别名）或 null")


def _kinds(sec: Section, envelope: Envelope) -> dict[Kind, KindSpec]:
    kinds: dict[Kind, KindSpec] = {}
    for key in sec.data:
        try:
            kind = Kind(key)
        except ValueError:
            raise bad(sec.at(key), f"未知的类型，应为 {'、'.join(k.value for k in Kind)}") \
                from None
        kinds[kind] = _kind(kind, sec.section(key), envelope)
    sec.done()
    if not kinds:
        raise bad(sec.path, "至少要配置一种类型")
    return kinds


def _kind(kind: Kind, sec: Section, envelope: Envelope) -> KindSpec:
    path = sec.text("path")
    if not path.startswith("/") or " " in path:
        raise bad(sec.at("path"), "接口路径应以 / 开头且不含空格")
    fsec = sec.section("fields")
    schema = SCHEMA[kind]
    fields: dict[str, FieldMap] = {}
    taken: dict[tuple[bool, str], str] = {(False, envelope.key): sec.at("envelope.key")}
    for canon, spec in schema.items():
        at = fsec.at(canon)
        names = _names(fsec.raw(canon), at)
        stage_part = canon.startswith("stages.")
        stages_off = stage_part and fields["stages"].name is None
        if stages_off and names:
            raise bad(at, "未传递环节列表（stages 为 null）时不能配置环节字段")
        if not names and not spec.omittable and not stages_off:
            raise bad(at, "该字段必须传递，不能为 null")
        for name in names:
            slot = (stage_part, name)
            if slot in taken:
                raise ProfileError(DUPLICATE_NAME,
                                   f"字段名 “{name}” 在 “{at}” 与 “{taken[slot]}” 中重复", at)
            taken[slot] = at
        fields[canon] = FieldMap(path=canon, name=names[0] if names else None, names=names)
    fsec.done()
    required = sec.texts("required", [])
    for i, canon in enumerate(required):
        if canon not in schema:
            raise bad(f"{sec.at('required')}[{i}]", f"“{canon}” 不是该类型的字段")
        if fields[canon].name is None:
            raise bad(f"{sec.at('required')}[{i}]", f"“{canon}” 未配置字段名，不能设为必填")
    csec = sec.section("constants", {})
    constants = {check_name(k, csec.at(k)): csec.text(k, empty=True) for k in csec.data}
    for name in constants:
        if (False, name) in taken:
            raise ProfileError(DUPLICATE_NAME, f"常量字段 “{name}” 与字段名重复", csec.at(name))
    csec.done()
    sec.done()
    always = {c for c, s in schema.items() if not s.omittable and fields[c].name}
    return KindSpec(kind=kind, path=path, fields=MappingProxyType(fields),
                    required=frozenset(required) | always,
                    constants=MappingProxyType(constants))


def _tables(sec: Section, used: set[str]) -> dict[str, CodeTable]:
    for key in sec.data:
        if key not in TABLES:
            raise bad(sec.at(key), f"未知的代码表，应为 {'、'.join(TABLES)} 之一")
    tables: dict[str, CodeTable] = {}
    for name in sorted(used | set(sec.data)):
        domain = TABLES[name]
        default = "satisfaction" if name == "level" else (
            "national" if "national" in domain.named else None)
        spec = sec.raw(name, default)
        at = sec.at(name)
        if spec is None:
            raise bad(at, f"缺少{domain.label}表（该表没有国家标准，须自行配置）")
        tables[name] = _table(name, spec, at)
    sec.done()
    return tables


def _table(name: str, spec: object, at: str) -> CodeTable:
    domain = TABLES[name]
    passthrough = False
    base: str | None
    if isinstance(spec, str):
        base, overrides = spec, {}
    else:
        sec = Section(spec, at)
        base = sec.opt_text("base")
        overrides = dict(sec.section("codes", {}).data)
        passthrough = sec.boolean("passthrough", False)
        sec.done()
    codes: dict[str, str] = {}
    if base is not None:
        if base not in domain.named:
            raise bad(join(at, "base") if not isinstance(spec, str) else at,
                      f"未知的{domain.label}表，可选：{'、'.join(domain.named) or '无'}")
        codes.update(domain.named[base])
    _override(name, codes, overrides, at)
    if not codes:
        raise bad(at, f"{domain.label}表为空")
    if domain.complete:
        missing = [v for v in domain.values if v not in codes]
        if missing:
            raise bad(at, f"{domain.label}表缺少 {'、'.join(missing)} 的代码")
        if len(set(codes.values())) != len(codes):
            raise bad(at, f"{domain.label}表中不同取值不能共用一个代码")
    if list(codes.values()).count("") > 1:
        raise bad(at, "只能有一个取值使用空代码")
    return CodeTable(name=name, codes=MappingProxyType(codes), order=domain.values,
                     passthrough=passthrough)


def _override(name: str, codes: dict[str, str], overrides: dict[str, Any], at: str) -> None:
    """Apply a table's ``codes`` over its base: a code per value, null removes one."""
    domain = TABLES[name]
    for value, code in overrides.items():
        where = join(at, f"codes.{value}")
        # userProp and the certificate types have codes beyond the national lists.
        if name not in ("user_prop", "cert_type") and value not in domain.values:
            raise bad(where, f"不是{domain.label}表的取值，应为 {'、'.join(domain.values)} 之一")
        if code is None:
            codes.pop(value, None)
        elif isinstance(code, str):
            codes[value] = code
        else:
            raise bad(where, "代码应为字符串（不传递该值时写 null）")


def _answer(sec: Section) -> Answer:
    answer = Answer(code=check_name(sec.raw("code"), sec.at("code")),
                    message=check_name(sec.raw("message"), sec.at("message")),
                    ok=sec.texts("ok"), items=sec.opt_text("items", REQUIRED_KEY))
    if not answer.ok:
        raise bad(sec.at("ok"), "至少要有一个表示成功的代码")
    if answer.items is not None:
        check_name(answer.items, sec.at("items"))
    sec.done()
    return answer


def _count(doc: Section, kinds: dict[Kind, KindSpec]) -> CountSpec | None:
    raw = doc.raw("count", None)
    if raw is None:
        return None
    sec = Section(raw, "count")
    path = sec.text("path")
    if not path.startswith("/"):
        raise bad(sec.at("path"), "接口路径应以 / 开头")
    names = {k: check_name(sec.raw(k), sec.at(k))
             for k in ("kind", "day", "org_code", "count", "digest")}
    if len(set(names.values())) != len(names):
        raise ProfileError(DUPLICATE_NAME, "对账接口的字段名不能重复", sec.path)
    day_format = sec.text("day_format", "yyyy-MM-dd")
    try:
        day_pattern = time_pattern(day_format + " HH:mm:ss")
    except ValueError:
        raise bad(sec.at("day_format"), "应只含 yyyy、MM、dd 和分隔符") from None
    day_pattern = day_pattern[:-len(" %H:%M:%S")]
    ksec = sec.section("kind_codes", {})
    kind_codes = {k: ksec.text(k.value, k.value) for k in kinds}
    ksec.done()
    if len(set(kind_codes.values())) != len(kind_codes):
        raise bad(sec.at("kind_codes"), "不同类型不能共用一个代码")
    sec.done()
    return CountSpec(path=path, day_format=day_pattern,
                     kind_codes=MappingProxyType(kind_codes), **names)


def _signing(sec: Section, envelope: Envelope) -> Signing:
    alg = sec.choice("alg", SIGNING_ALGS)
    carrier = sec.choice("carrier", ("headers", "body"))
    names = {k: check_name(sec.raw(k), sec.at(k))
             for k in ("timestamp", "nonce", "key_id", "signature")}
    if len({n.lower() for n in names.values()}) != 4:
        raise ProfileError(DUPLICATE_NAME, "签名的四个字段名不能重复", sec.path)
    if carrier == "body":
        if envelope.items is None:
            raise bad(sec.at("carrier"), "单条报文（envelope.items 为 null）的签名须放在请求头")
        if envelope.items in names.values():
            raise ProfileError(DUPLICATE_NAME, "签名字段与列表字段重名", sec.at("carrier"))
    signing = Signing(alg=alg, carrier=carrier, timestamp_format=sec.choice(
        "timestamp_format", EPOCH_FORMATS, "epoch_millis"),
        encoding=sec.choice("encoding", ENCODINGS, "hex" if alg == HMAC_SHA256 else "base64"),
        skew_seconds=sec.integer("skew_seconds", 1, 3600, 300), **names)
    sec.done()
    return signing


def _encryption(sec: Section, kinds: dict[Kind, KindSpec]) -> Encryption:
    alg = sec.choice("alg", ("sm4", "none"))
    if alg == "none":
        sec.done()
        return Encryption(alg="none", mode="", encoding="base64", fields=frozenset())
    mode = sec.choice("mode", SM4_MODES)
    encoding = sec.choice("encoding", ENCODINGS, "base64")
    fields = sec.texts("fields")
    allowed = {p for k in kinds for p in identity_paths(k)
               if SCHEMA[k][p].vtype == "str" and kinds[k].fields[p].name}
    for i, path in enumerate(fields):
        if path not in allowed:
            raise bad(f"{sec.at('fields')}[{i}]",
                      f"“{path}” 不是本规范传递的申请人/评价人身份字段，不能加密")
    if not fields:
        raise bad(sec.at("fields"), "至少要加密一个字段（不加密时 alg 写 none）")
    sec.done()
    return Encryption(alg="sm4", mode=mode, encoding=encoding, fields=frozenset(fields))


# --- the shipped profiles -------------------------------------------------------------

def _shipped_dir() -> Any:
    return resources.files("haochaping.exchange").joinpath("profiles")


@cache
def shipped_names() -> tuple[str, ...]:
    """The names of the profiles shipped in ``exchange/profiles/*.json``."""
    return tuple(sorted(p.name[:-5] for p in _shipped_dir().iterdir()
                        if p.name.endswith(".json")))


def shipped_document(name: str) -> dict[str, Any]:
    """The JSON document of a shipped profile (an office copies it to start its own)."""
    if name not in shipped_names():
        raise ProfileError("exchange.unknown_profile", f"没有名为 “{name}” 的对接规范", "name")
    data: dict[str, Any] = json.loads(_shipped_dir().joinpath(f"{name}.json")
                                      .read_text(encoding="utf-8"))
    return data


@cache
def shipped_profile(name: str) -> Profile:
    """A shipped profile, parsed once per process."""
    return profile_parse(shipped_document(name))
