"""Normalising, blind-indexing and masking rater identity. Pure: keys are passed in.

Blind index: HMAC-SHA256 keyed with ``HCP_BLIND_INDEX_KEY`` over ``<domain>\\x00<value>``
after normalisation, so the same phone written ``+86 138 0013 8000`` or ``13800138000``
finds the same rater, and an index of one domain (phone) never matches another (ID no.).

Masks follow the minimum-display practice of GB/T 35273-2020 and the national 好差评
screens: phone ``138****1234``; a person's name keeps only the first character followed by
one ``*`` whatever its length (``张*`` for 张明 and 张晓明 alike, so the length is not
disclosed either); an ID number keeps the first 6 (region) and last 4 characters; an
organisation's name keeps its first 2 and last 2 characters (``郑州****公司``).
"""

from __future__ import annotations

import hmac
import re

NATURAL_PERSON = "1"
_SPACES = re.compile(r"[\s\u3000]+")
_PHONE_NOISE = re.compile(r"[\s\u3000\-()]+")
INDEX_DOMAINS = ("identity", "id_no", "phone", "content")


def normalise_id_no(value: str) -> str:
    """Spaces removed, letters upper-cased (the check character ``x`` → ``X``)."""
    return _SPACES.sub("", value).upper()


def normalise_phone(value: str) -> str:
    """Spaces, hyphens and brackets removed; a +86 / 0086 / 86 country prefix dropped
    from an 11-digit mobile number."""
    digits = _PHONE_NOISE.sub("", value)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix):]
    return digits


def normalise_name(value: str) -> str:
    """Outer spaces removed and inner runs collapsed (foreign names keep one space)."""
    return _SPACES.sub(" ", value).strip()


def blind_index(domain: str, value: str, key: bytes) -> str:
    """Hex HMAC-SHA256 of an already-normalised ``value`` in ``domain``."""
    if domain not in INDEX_DOMAINS:
        raise ValueError(f"unknown blind index domain {domain!r}")
    return keyed_digest(domain, value.encode("utf-8"), key)


def keyed_digest(domain: str, data: bytes, key: bytes) -> str:
    """Hex HMAC-SHA256 of ``data``, domain-separated."""
    return hmac.digest(key, domain.encode("ascii") + b"\x00" + data, "sha256").hex()


def identity_source(kind: str, id_type: str, id_no: str, phone: str) -> str:
    """What identifies a rater: kind + ID type + number, or the phone when no number is
    given (values already normalised)."""
    if id_no:
        return f"{kind}|{id_type}|{id_no}"
    return f"{kind}|phone|{phone}"


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 1)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_person_name(name: str) -> str:
    return f"{name[:1]}*" if name else ""


def mask_org_name(name: str) -> str:
    if len(name) <= 4:
        return mask_person_name(name)
    return f"{name[:2]}****{name[-2:]}"


def mask_name(name: str, kind: str = NATURAL_PERSON) -> str:
    """A person's name (kind 1) or an organisation's name (any other applicant kind)."""
    return mask_person_name(name) if kind == NATURAL_PERSON else mask_org_name(name)


def mask_id_no(id_no: str) -> str:
    if len(id_no) > 10:
        return f"{id_no[:6]}{'*' * (len(id_no) - 10)}{id_no[-4:]}"
    if len(id_no) > 2:
        return f"{id_no[:1]}{'*' * (len(id_no) - 2)}{id_no[-1:]}"
    return "*" * len(id_no)
