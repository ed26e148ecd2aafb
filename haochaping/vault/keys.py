"""The deployment's field-key ring and blind-index key, read from settings once per value
(a changed setting, e.g. in a test, yields a new ring)."""

from __future__ import annotations

import base64
import binascii
import functools

from django.conf import settings

from haochaping.vault.crypto import KeyRing, parse_key_ring


@functools.lru_cache(maxsize=8)
def _ring(spec: str, cipher: str) -> KeyRing:
    return parse_key_ring(spec, cipher)


def field_ring() -> KeyRing:
    return _ring(settings.HCP_FIELD_KEYS, settings.HCP_FIELD_CIPHER)


@functools.lru_cache(maxsize=8)
def _index_key(setting: str) -> bytes:
    try:
        return base64.b64decode(setting, validate=True)
    except binascii.Error:
        return setting.encode("utf-8")


def index_key() -> bytes:
    """HCP_BLIND_INDEX_KEY as bytes (base64 when it parses as such, else its UTF-8)."""
    return _index_key(settings.HCP_BLIND_INDEX_KEY)
