"""What a profile can carry: the canonical fields of each kind and the code tables.

A profile names, for every canonical field of a kind it exchanges, the remote field that
carries it. Fields are addressed by dotted paths into the records of ``canonical``:
``proj_no``, ``applicant.cert_no`` (the flattened identity), ``stages`` (the list of
stages) and ``stages.at`` (a field of each stage). Each field has a value type, which
decides how it is written (``rules.mapping``), and a neutral value: a field with one may
be left out of a profile (``null``), and then always maps back to that value; a field
without one must be mapped and is required both ways.

The named code tables are the national ones of ``catalog.rules.standards`` (defined once
there); a profile refers to them by name or gives its own table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from haochaping.catalog.rules.codes import HANDLING_TYPE_CODES, HandlingType
from haochaping.catalog.rules.standards import (
    CERT_TYPES,
    GB39046_CODES,
    PF_PROFILES,
    PRO_STATUS_CODES,
    SATISFACTION_CODES,
    USER_PROP,
    Channel,
    Level,
)
from haochaping.exchange.rules.canonical import Kind


class _Required:
    """The neutral value of a field that has none: it must be mapped and non-empty."""

    def __repr__(self) -> str:
        return "REQUIRED"


class _Derived:
    """The neutral value of a field computed from others when a profile leaves it out."""

    def __repr__(self) -> str:
        return "DERIVED"


REQUIRED: Final = _Required()
DERIVED: Final = _Derived()

# Value types. ``code:<table>`` is a value looked up in the profile's code table.
STR, INT, BOOL, OPT_BOOL, TIME, OPT_TIME = "str", "int", "bool", "bool?", "time", "time?"
REGION, CODES, STAGES = "region", "codes", "stages"


@dataclass(frozen=True)
class FieldSpec:
    path: str  # dotted canonical path
    vtype: str
    neutral: object  # the value when not carried; REQUIRED or DERIVED when there is none

    @property
    def table(self) -> str | None:
        return self.vtype[5:] if self.vtype.startswith("code:") else None

    @property
    def omittable(self) -> bool:
        return self.neutral is not REQUIRED


def _identity(prefix: str) -> list[FieldSpec]:
    return [
        FieldSpec(f"{prefix}.user_prop", "code:user_prop", "1"),
        FieldSpec(f"{prefix}.name", STR, ""),
        FieldSpec(f"{prefix}.cert_type", "code:cert_type", "111"),
        FieldSpec(f"{prefix}.cert_no", STR, ""),
        FieldSpec(f"{prefix}.phone", STR, ""),
    ]


# The identity fields of each kind: the ones a profile may encrypt.
IDENTITY_PREFIX: dict[Kind, str] = {
    Kind.HANDLING: "applicant", Kind.RATING: "rater", Kind.COMPLAINT: "submitter",
}

_SCHEMA: dict[Kind, list[FieldSpec]] = {
    Kind.HANDLING: [
        FieldSpec("proj_no", STR, REQUIRED),
        FieldSpec("matter_code", STR, REQUIRED),
        FieldSpec("matter_name", STR, ""),
        FieldSpec("matter_version", STR, ""),
        FieldSpec("org_code", STR, REQUIRED),
        FieldSpec("org_name", STR, ""),
        FieldSpec("region_code", REGION, REQUIRED),
        FieldSpec("status", "code:status", REQUIRED),
        FieldSpec("handling_type", "code:handling_type", REQUIRED),
        FieldSpec("accepted_at", TIME, REQUIRED),
        FieldSpec("completed_at", OPT_TIME, None),
        FieldSpec("staff_name", STR, ""),
        *_identity("applicant"),
        FieldSpec("source", STR, ""),
        FieldSpec("stages", STAGES, ()),
        FieldSpec("stages.code", STR, REQUIRED),
        FieldSpec("stages.name", STR, ""),
        FieldSpec("stages.at", TIME, REQUIRED),
        FieldSpec("stages.is_service", BOOL, True),
    ],
    Kind.RATING: [
        FieldSpec("rating_id", STR, REQUIRED),
        FieldSpec("proj_no", STR, REQUIRED),
        FieldSpec("org_code", STR, REQUIRED),
        FieldSpec("region_code", REGION, REQUIRED),
        FieldSpec("channel", "code:channel", REQUIRED),
        FieldSpec("level", "code:level", REQUIRED),
        FieldSpec("content_codes", CODES, ()),
        FieldSpec("text", STR, ""),
        FieldSpec("assessed_at", TIME, REQUIRED),
        FieldSpec("assess_number", INT, 1),
        # Not carried: a default rating is the one whose channel is ``default`` (the
        # default-rating sweep writes both), so the channel code says it.
        FieldSpec("is_default", BOOL, DERIVED),
        FieldSpec("stage_code", STR, ""),
        *_identity("rater"),
        FieldSpec("anonymous", BOOL, False),
        FieldSpec("public", BOOL, True),
        FieldSpec("invalidated_at", OPT_TIME, None),
        FieldSpec("invalid_reason", STR, ""),
    ],
    Kind.RESULT: [
        FieldSpec("order_no", STR, REQUIRED),
        FieldSpec("rating_id", STR, REQUIRED),
        FieldSpec("proj_no", STR, REQUIRED),
        FieldSpec("org_code", STR, REQUIRED),
        FieldSpec("content", STR, REQUIRED),
        FieldSpec("rectified_at", TIME, REQUIRED),
        FieldSpec("satisfied", OPT_BOOL, None),
        FieldSpec("closed_at", TIME, REQUIRED),
    ],
    Kind.COMPLAINT: [
        FieldSpec("remote_id", STR, REQUIRED),
        FieldSpec("kind", "code:complaint_kind", REQUIRED),
        FieldSpec("org_code", STR, ""),
        FieldSpec("matter_code", STR, ""),
        FieldSpec("proj_no", STR, ""),
        FieldSpec("content", STR, REQUIRED),
        *_identity("submitter"),
        FieldSpec("received_at", TIME, REQUIRED),
        FieldSpec("reply", STR, ""),
        FieldSpec("replied_at", OPT_TIME, None),
    ],
}

SCHEMA: Mapping[Kind, Mapping[str, FieldSpec]] = {
    kind: {spec.path: spec for spec in specs} for kind, specs in _SCHEMA.items()
}

# The field of each kind that names the record (messages and the reconciliation use it).
RECORD_IDENT: dict[Kind, str] = {
    Kind.HANDLING: "proj_no", Kind.RATING: "rating_id", Kind.RESULT: "order_no",
    Kind.COMPLAINT: "remote_id",
}


def identity_paths(kind: Kind) -> tuple[str, ...]:
    """The identity fields of ``kind`` (those encryption may name)."""
    prefix = IDENTITY_PREFIX.get(kind)
    if prefix is None:
        return ()
    return tuple(p for p in SCHEMA[kind] if p.startswith(prefix + "."))


# --- code tables ----------------------------------------------------------------------

COMPLAINT_KINDS: tuple[str, ...] = ("inquiry", "complaint", "suggestion", "bad_review")


@dataclass(frozen=True)
class TableDomain:
    """The canonical values of one code table, in the order a shared code maps back in
    (the first value wins: national pf ``2`` is app and mini program, and reads as app),
    whether a table must give every value a code, and the named tables of standards."""

    label: str  # Chinese, for messages
    values: tuple[str, ...]
    complete: bool
    named: Mapping[str, Mapping[str, str]]


def _str_keys(table: Mapping[Any, Any]) -> dict[str, str]:
    return {str(getattr(k, "value", k)): str(v) for k, v in table.items()}


TABLES: dict[str, TableDomain] = {
    "channel": TableDomain(
        "渠道代码", tuple(c.value for c in Channel), complete=False,
        named={name: _str_keys(p.codes) for name, p in PF_PROFILES.items()}),
    "level": TableDomain(
        "满意度代码", tuple(str(v.value) for v in Level), complete=True,
        named={"satisfaction": _str_keys(SATISFACTION_CODES),
               "gb39046": _str_keys(GB39046_CODES)}),
    "user_prop": TableDomain(
        "申请人类型代码", tuple(USER_PROP), complete=False,
        named={"national": {code: code for code in USER_PROP}}),
    "cert_type": TableDomain(
        "证件类型代码", tuple(CERT_TYPES), complete=False,
        named={"national": {code: code for code in CERT_TYPES}}),
    "status": TableDomain(
        "办件状态代码", tuple(PRO_STATUS_CODES), complete=True,
        named={"national": dict(PRO_STATUS_CODES)}),
    "handling_type": TableDomain(
        "办件类型代码", tuple(t.value for t in HandlingType), complete=True,
        named={"national": _str_keys(HANDLING_TYPE_CODES)}),
    "complaint_kind": TableDomain("诉求类型代码", COMPLAINT_KINDS, complete=True, named={}),
}


def tables_of(kind: Kind) -> set[str]:
    """The code tables the fields of ``kind`` use."""
    return {t for spec in SCHEMA[kind].values() if (t := spec.table)}
