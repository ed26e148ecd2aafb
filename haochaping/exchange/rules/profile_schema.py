"""The parsed form of a profile (``rules.profiles.profile_parse`` builds it). Pure data.

docs/exchange.md "Profiles" documents the JSON document these classes come from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.fields import SCHEMA, FieldSpec

HMAC_SHA256 = "hmac-sha256"
SM2_SM3 = "sm2-sm3"
SIGNING_ALGS = (HMAC_SHA256, SM2_SM3)
SM4_MODES = ("cbc", "ecb", "gcm")
ENCODINGS = ("base64", "hex")


@dataclass(frozen=True)
class FieldMap:
    """Where one canonical field travels: ``name`` is sent (None: not carried), every
    one of ``names`` is accepted inbound (``name`` first, then the aliases)."""

    path: str
    name: str | None
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindSpec:
    """One exchanged kind in a profile."""

    kind: Kind
    path: str  # the endpoint, e.g. "/api/evaluations"
    fields: Mapping[str, FieldMap]  # by canonical path, every field of the kind
    required: frozenset[str]  # canonical paths required non-empty both ways
    constants: Mapping[str, str]  # fields added to every item sent, ignored inbound

    @cached_property
    def plan(self) -> tuple[tuple[FieldMap, FieldSpec], ...]:
        """The record's own fields (not those of its stages) with their schema, in
        order: what the mapping walks for every record."""
        schema = SCHEMA[self.kind]
        return tuple((fmap, schema[path]) for path, fmap in self.fields.items()
                     if not path.startswith("stages."))

    @cached_property
    def stage_plan(self) -> tuple[tuple[FieldMap, FieldSpec], ...]:
        schema = SCHEMA[self.kind]
        return tuple((fmap, schema[path]) for path, fmap in self.fields.items()
                     if path.startswith("stages."))


@dataclass(frozen=True)
class CodeTable:
    """A code table: canonical value → remote code. A code shared by several values maps
    back to the first of them in ``order``; with ``passthrough`` a value without a code
    is sent as it is, and a code without a value read as it is."""

    name: str  # which table ("channel", "level", …)
    codes: Mapping[str, str]
    order: tuple[str, ...]
    passthrough: bool = False

    def to_code(self, value: str) -> str | None:
        code = self.codes.get(value)
        if code is None and self.passthrough:
            return value
        return code

    def from_code(self, code: str) -> str | None:
        for value in self.order:
            if self.codes.get(value) == code:
                return value
        for value, mapped in self.codes.items():  # values outside the national domain
            if mapped == code:
                return value
        return code if self.passthrough else None

    def folds(self) -> dict[str, str]:
        """The values a code shared with an earlier value turns into (lossy codes)."""
        return {value: back for value, code in self.codes.items()
                if (back := self.from_code(code)) is not None and back != value}


@dataclass(frozen=True)
class Envelope:
    """The body of one request: ``{items: [item, …], …}``, or the item itself when
    ``items`` is None (single-item profiles). ``key`` is the item field carrying the
    idempotency key."""

    items: str | None
    key: str
    max_items: int


@dataclass(frozen=True)
class Answer:
    """A remote's answer: a result code and message at the top, and per item (in the
    ``items`` list, each with the envelope's key field) when the profile batches."""

    code: str
    message: str
    ok: tuple[str, ...]  # result codes that mean accepted (incl. "already had it")
    items: str | None


@dataclass(frozen=True)
class CountSpec:
    """The count endpoint for reconciliation (对账)."""

    path: str
    kind: str
    day: str
    org_code: str
    count: str
    digest: str
    day_format: str  # strftime form
    kind_codes: Mapping[Kind, str]


@dataclass(frozen=True)
class Signing:
    alg: str  # hmac-sha256 | sm2-sm3
    carrier: str  # "headers" | "body": where the four values below travel
    timestamp: str
    nonce: str
    key_id: str
    signature: str
    timestamp_format: str  # epoch_millis | epoch_seconds
    encoding: str  # of the signature: hex | base64
    skew_seconds: int


@dataclass(frozen=True)
class Encryption:
    alg: str  # "sm4" | "none"
    mode: str  # cbc | ecb | gcm ("" with none)
    encoding: str  # of the ciphertext: base64 | hex
    fields: frozenset[str]  # canonical paths (identity fields)


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    notes: tuple[str, ...]
    kinds: Mapping[Kind, KindSpec]
    tables: Mapping[str, CodeTable]
    booleans: tuple[str, str]  # the codes of true and false
    list_separator: str | None  # content codes joined by it, or a JSON list when None
    region_digits: int
    date_format: str  # strftime form, or epoch_millis / epoch_seconds
    timezone: str
    envelope: Envelope
    answer: Answer
    count: CountSpec | None
    signing: Signing
    encryption: Encryption

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def kind(self, kind: Kind | str) -> KindSpec | None:
        try:
            return self.kinds.get(Kind(kind))
        except ValueError:
            return None
