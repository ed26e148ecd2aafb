"""Canonical records ↔ a profile's item dicts. Pure.

:func:`to_remote` writes one record the way a profile names and codes it (before field
encryption and the envelope, which the codec adds); :func:`from_remote` reads a remote's
item back, accepting every alias the profile lists. Both refuse what the other side
could not read, with a stable code and a Chinese message naming the field:

- ``exchange.unsupported_kind``: the profile does not exchange this kind;
- ``exchange.missing_field``: a required field is absent or empty (both ways);
- ``exchange.unmapped``: our value has no code in the profile's table (outbound);
- ``exchange.bad_code``: the remote's code is not in the profile's table (inbound);
- ``exchange.bad_value``: a value of the wrong type or format (a time, a region …).

Lossy profiles are explicit: :func:`normalise` is the record as a profile can carry it
(a shared code folded to the value it reads back as, a 12-digit region cut to the
county of a 6-digit profile, a field the profile does not carry set to its neutral
value, times in whole seconds). The round trip is exact on normalised records:
``from_remote(p, k, to_remote(p, r)) == normalise(p, r)``, and
``to_remote(p, normalise(p, r)) == to_remote(p, r)`` (property-tested).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from haochaping.exchange.rules.canonical import (
    ComplaintRecord,
    HandlingRecord,
    Identity,
    Kind,
    RatingRecord,
    Record,
    ResultRecord,
    Stage,
)
from haochaping.exchange.rules.errors import MappingError
from haochaping.exchange.rules.fields import (
    BOOL,
    CODES,
    DERIVED,
    IDENTITY_PREFIX,
    INT,
    OPT_BOOL,
    OPT_TIME,
    REGION,
    SCHEMA,
    STAGES,
    STR,
    TABLES,
    TIME,
    FieldSpec,
)
from haochaping.exchange.rules.formats import (
    FormatError,
    region_from_remote,
    region_normalise,
    region_to_remote,
    time_format,
    time_normalise,
    time_parse,
)
from haochaping.exchange.rules.profile_schema import FieldMap, KindSpec, Profile

RECORD_TYPES: dict[type[Any], Kind] = {
    HandlingRecord: Kind.HANDLING, RatingRecord: Kind.RATING, ResultRecord: Kind.RESULT,
    ComplaintRecord: Kind.COMPLAINT,
}
_CLASSES = {kind: cls for cls, kind in RECORD_TYPES.items()}
DEFAULT_CHANNEL = "default"


def kind_of(record: Record) -> Kind:
    try:
        return RECORD_TYPES[type(record)]
    except KeyError:
        raise MappingError("exchange.unsupported_kind", "不是可交换的记录类型") from None


def kind_spec(profile: Profile, kind: Kind | str) -> KindSpec:
    spec = profile.kind(kind)
    if spec is None:
        raise MappingError("exchange.unsupported_kind",
                           f"对接规范 {profile.name} 不交换“{kind}”类数据", "kind")
    return spec


def _get(record: object, path: str) -> Any:
    for part in path.split("."):
        record = getattr(record, part)
    return record


# --- outbound -------------------------------------------------------------------------


def to_remote(profile: Profile, record: Record) -> dict[str, Any]:
    """One record as the profile's item (no idempotency key, no encryption)."""
    kind = kind_of(record)
    spec = kind_spec(profile, kind)
    out: dict[str, Any] = {}
    for fmap, field in spec.plan:
        if fmap.name is None:
            continue
        value = _get(record, fmap.path)
        if field.vtype == STAGES:
            out[fmap.name] = [_stage_out(profile, spec, stage) for stage in value]
            continue
        out[fmap.name] = _out(profile, spec, field, fmap, value)
    out.update(spec.constants)
    return out


def _stage_out(profile: Profile, spec: KindSpec, stage: Stage) -> dict[str, Any]:
    return {fmap.name: _out(profile, spec, field, fmap, getattr(stage, fmap.path[7:]))
            for fmap, field in spec.stage_plan if fmap.name is not None}


def _missing(path: str, name: str) -> MappingError:
    return MappingError("exchange.missing_field", f"缺少对接规范要求的字段 {name}（{path}）", name)


def _bad(name: str, reason: str) -> MappingError:
    return MappingError("exchange.bad_value", f"字段 {name} 的值无效：{reason}", name)


def _out(profile: Profile, spec: KindSpec, field: FieldSpec, fmap: FieldMap,
         value: Any) -> Any:
    path, vtype = field.path, field.vtype
    if path in spec.required and value in ("", None, ()):
        raise _missing(path, path)
    if vtype == STR:
        if not isinstance(value, str):
            raise _bad(path, "应为字符串")
        return value
    if vtype in (TIME, OPT_TIME, REGION):
        return _formatted_out(profile, field, value)
    if vtype in (BOOL, OPT_BOOL):
        return "" if value is None else profile.booleans[0 if value else 1]
    if vtype == INT:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _bad(path, "应为正整数")
        return str(value)
    if vtype == CODES:
        return _codes_out(profile, path, value)
    table = profile.tables[vtype[5:]]
    code = table.to_code(str(value))
    if code is None:
        raise MappingError(
            "exchange.unmapped",
            f"“{value}” 在对接规范 {profile.name} 的{TABLES[table.name].label}表中没有代码"
            f"（{path}）", path)
    return code


def _formatted_out(profile: Profile, field: FieldSpec, value: Any) -> Any:
    """A time or a region in the profile's format."""
    try:
        if field.vtype == REGION:
            return region_to_remote(value, profile.region_digits)
        if value is None:
            return ""
        return time_format(value, profile.date_format, profile.zone)
    except FormatError as exc:
        raise _bad(field.path, str(exc)) from None


def _codes_out(profile: Profile, path: str, codes: tuple[str, ...]) -> Any:
    sep = profile.list_separator
    for code in codes:
        if not code or (sep is not None and sep in code):
            raise _bad(path, f"评价内容代码 “{code}” 不能为空或含有分隔符")
    return list(codes) if sep is None else sep.join(codes)


# --- inbound --------------------------------------------------------------------------


def from_remote(profile: Profile, kind: Kind | str, data: Mapping[str, Any]) -> Record:
    """A remote's item (decrypted) back to the canonical record; aliases accepted,
    fields the profile does not name are ignored."""
    spec = kind_spec(profile, kind)
    if not isinstance(data, Mapping):
        raise MappingError("exchange.malformed", "数据项应为 JSON 对象")
    values = _read(profile, spec, data, stage=False)
    return _build(spec.kind, values)


def _read(profile: Profile, spec: KindSpec, data: Mapping[str, Any],
          stage: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for fmap, field in (spec.stage_plan if stage else spec.plan):
        path = fmap.path
        if fmap.name is None:
            values[path] = field.neutral
            continue
        name, raw = _pick(data, fmap)
        if field.vtype == STAGES:
            values[path] = _stages_in(profile, spec, name, raw)
            continue
        # "" is a code of a required code field (the national pf of a default rating);
        # anywhere else it is no value.
        empty = raw is None or raw == [] or (
            raw == "" and (field.table is None or field.omittable))
        if empty:
            if path in spec.required:
                raise _missing(path, fmap.names[0])
            values[path] = field.neutral
            continue
        values[path] = _in(profile, field, name, raw)
    return values


def _pick(data: Mapping[str, Any], fmap: FieldMap) -> tuple[str, Any]:
    for name in fmap.names:
        value = data.get(name)
        if value is not None:
            return name, value
    return fmap.names[0], None


def _stages_in(profile: Profile, spec: KindSpec, name: str, raw: Any) -> tuple[Stage, ...]:
    if raw is None or raw == "":
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        raise _bad(name, "环节应为 JSON 对象列表")
    stages = []
    for item in raw:
        values = _read(profile, spec, item, stage=True)
        stages.append(Stage(**{path[7:]: value for path, value in values.items()}))
    return tuple(stages)


def _text(name: str, raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise _bad(name, "应为字符串")
    return str(raw)


def _in(profile: Profile, field: FieldSpec, name: str, raw: Any) -> Any:
    vtype = field.vtype
    if vtype == STR:
        if not isinstance(raw, str):
            raise _bad(name, "应为字符串")
        return raw
    try:
        if vtype in (TIME, OPT_TIME):
            return time_parse(raw, profile.date_format, profile.zone)
        if vtype == REGION:
            return region_from_remote(raw)
    except FormatError as exc:
        raise _bad(name, str(exc)) from None
    if vtype in (BOOL, OPT_BOOL):
        return _bool_in(profile, name, raw)
    if vtype == INT:
        text = _text(name, raw)
        if not text.isascii() or not text.isdigit() or int(text) < 1:
            raise _bad(name, "应为正整数")
        return int(text)
    if vtype == CODES:
        return _codes_in(profile, name, raw)
    table = profile.tables[vtype[5:]]
    code = _text(name, raw)
    value = table.from_code(code)
    if value is None:
        raise MappingError(
            "exchange.bad_code",
            f"字段 {name} 的代码 “{code}” 不在对接规范 {profile.name} 的"
            f"{TABLES[table.name].label}表中", name)
    return int(value) if table.name == "level" else value


def _bool_in(profile: Profile, name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _text(name, raw)
    if text == profile.booleans[0]:
        return True
    if text == profile.booleans[1]:
        return False
    raise _bad(name, f"应为 {profile.booleans[0]} 或 {profile.booleans[1]}")


def _codes_in(profile: Profile, name: str, raw: Any) -> tuple[str, ...]:
    if isinstance(raw, list):
        if not all(isinstance(c, str) and c for c in raw):
            raise _bad(name, "评价内容代码应为非空字符串")
        return tuple(raw)
    text = _text(name, raw)
    sep = profile.list_separator or ","
    codes = tuple(text.split(sep))
    if not all(codes):
        raise _bad(name, "评价内容代码不能为空")
    return codes


def _build(kind: Kind, values: dict[str, Any]) -> Record:
    """The record from its canonical paths (identities nested, derived fields set)."""
    flat: dict[str, Any] = {}
    prefix = IDENTITY_PREFIX.get(kind)
    person: dict[str, Any] = {}
    for path, value in values.items():
        if prefix and path.startswith(prefix + "."):
            person[path[len(prefix) + 1:]] = value
        else:
            flat[path] = value
    if prefix:
        flat[prefix] = Identity(**person)
    if flat.get("is_default") is DERIVED:
        flat["is_default"] = flat["channel"] == DEFAULT_CHANNEL
    record: Record = _CLASSES[kind](**flat)
    return record


# --- lossy profiles -------------------------------------------------------------------


def normalise(profile: Profile, record: Record) -> Record:
    """The record as ``profile`` reads it back after sending it (see the module doc)."""
    kind = kind_of(record)
    spec = kind_spec(profile, kind)
    schema = SCHEMA[kind]
    values: dict[str, Any] = {}
    for path, fmap in spec.fields.items():
        if path.startswith("stages."):
            continue
        field = schema[path]
        if fmap.name is None:
            values[path] = field.neutral
        elif path == "stages":
            values[path] = tuple(_stage_norm(profile, spec, s) for s in record.stages)  # type: ignore[union-attr]
        else:
            values[path] = _norm(profile, field, _get(record, path))
    return _build(kind, values)


def _stage_norm(profile: Profile, spec: KindSpec, stage: Stage) -> Stage:
    schema = SCHEMA[spec.kind]
    changes = {path[7:]: _norm(profile, schema[path], getattr(stage, path[7:]))
               for path in spec.fields if path.startswith("stages.")}
    return dataclasses.replace(stage, **changes)


def _norm(profile: Profile, field: FieldSpec, value: Any) -> Any:
    if isinstance(value, datetime):
        return time_normalise(value)
    if field.vtype == REGION and isinstance(value, str):
        return region_normalise(value, profile.region_digits)
    if field.vtype == STAGES:
        return value
    if field.table is not None:
        table = profile.tables[field.table]
        code = table.to_code(str(value))
        if code == "" and field.omittable:
            return field.neutral
        back = None if code is None else table.from_code(code)
        if back is not None:
            return int(back) if table.name == "level" else back
    return value
