"""Field encryption for the rater vault. Pure: no ORM, no settings (keys are passed in).

Envelope: ``v1:<key_id>:<alg>:<base64(nonce ‖ ciphertext ‖ tag)>``

- ``alg`` is ``a256gcm`` (AES-256-GCM) or ``sm4gcm`` (SM4-GCM, GB/T 32907 block cipher in
  GCM mode, through the ``cryptography`` package);
- the nonce is 96 random bits, fresh for every encryption;
- the associated data binds the ciphertext to its field name and to the envelope header,
  so a phone ciphertext pasted into the name column, or a header edited to another key or
  algorithm, fails authentication.

One configured key serves both ciphers: HKDF-SHA256 derives a 32-byte AES subkey and a
16-byte SM4 subkey from it (different ``info`` strings), so switching ``HCP_FIELD_CIPHER``
needs no new key material and old ciphertexts of either algorithm stay readable.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
AES_GCM = "a256gcm"
SM4_GCM = "sm4gcm"
# Setting value (HCP_FIELD_CIPHER) -> envelope algorithm name.
CIPHER_SETTINGS = {"aes-gcm": AES_GCM, "sm4-gcm": SM4_GCM}
NONCE_BYTES = 12
TAG_BYTES = 16
MIN_KEY_BYTES = 16
_SUBKEY = {AES_GCM: (32, b"hcp-vault-aes-256-gcm"), SM4_GCM: (16, b"hcp-vault-sm4-gcm")}


class VaultError(ValueError):
    """A bad key setting, a malformed envelope, an unknown key id or a failed tag check."""


def derive_subkey(master: bytes, alg: str) -> bytes:
    length, info = _SUBKEY[alg]
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(master)


@dataclass(frozen=True)
class KeyRing:
    """Keys by id; ``current`` encrypts, every key decrypts. ``alg`` is the cipher used for
    new ciphertexts (decryption follows the envelope)."""

    current: str
    keys: Mapping[str, bytes]
    alg: str = AES_GCM
    _subkeys: dict[tuple[str, str], bytes] = field(default_factory=dict, compare=False,
                                                   repr=False)
    _aes: dict[str, AESGCM] = field(default_factory=dict, compare=False, repr=False)

    def subkey(self, key_id: str, alg: str) -> bytes:
        cached = self._subkeys.get((key_id, alg))
        if cached is None:
            master = self.keys.get(key_id)
            if master is None:
                raise VaultError(f"unknown field key id {key_id!r}")
            cached = self._subkeys[(key_id, alg)] = derive_subkey(master, alg)
        return cached

    def aes(self, key_id: str) -> AESGCM:
        """The AES-GCM object of a key id, built once (the HKDF subkey too)."""
        cached = self._aes.get(key_id)
        if cached is None:
            cached = self._aes[key_id] = AESGCM(self.subkey(key_id, AES_GCM))
        return cached


def parse_key_ring(spec: str, cipher: str = "aes-gcm") -> KeyRing:
    """``"id1:base64key,id2:base64key"`` (first encrypts) and a cipher setting value."""
    alg = CIPHER_SETTINGS.get(cipher.strip().lower())
    if alg is None:
        raise VaultError(f"HCP_FIELD_CIPHER must be one of {', '.join(CIPHER_SETTINGS)}")
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        key_id, sep, encoded = part.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or not key_id.replace("-", "").replace("_", "").isalnum():
            raise VaultError("each HCP_FIELD_KEYS entry must be <id>:<base64 key>")
        try:
            raw = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error as exc:
            raise VaultError(f"field key {key_id!r} is not valid base64") from exc
        if len(raw) < MIN_KEY_BYTES:
            raise VaultError(f"field key {key_id!r} is shorter than {MIN_KEY_BYTES} bytes")
        if key_id in keys:
            raise VaultError(f"field key id {key_id!r} is listed twice")
        keys[key_id] = raw
        order.append(key_id)
    if not order:
        raise VaultError("HCP_FIELD_KEYS holds no key")
    return KeyRing(current=order[0], keys=keys, alg=alg)


def _aad(field_name: str, key_id: str, alg: str) -> bytes:
    return f"hcp-vault:{VERSION}:{field_name}:{key_id}:{alg}".encode()


def _seal(ring: KeyRing, key_id: str, alg: str, nonce: bytes, plaintext: bytes,
          aad: bytes) -> bytes:
    if alg == AES_GCM:
        return ring.aes(key_id).encrypt(nonce, plaintext, aad)
    key = ring.subkey(key_id, alg)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def _open(ring: KeyRing, key_id: str, alg: str, nonce: bytes, sealed: bytes,
          aad: bytes) -> bytes:
    if alg == AES_GCM:
        return ring.aes(key_id).decrypt(nonce, sealed, aad)
    key = ring.subkey(key_id, alg)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def encrypt_field(field_name: str, plaintext: str, ring: KeyRing) -> str:
    """The envelope of ``plaintext`` for column ``field_name``; "" stays "" (no value)."""
    if plaintext == "":
        return ""
    key_id, alg = ring.current, ring.alg
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(ring, key_id, alg, nonce, plaintext.encode("utf-8"),
                   _aad(field_name, key_id, alg))
    return f"{VERSION}:{key_id}:{alg}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def envelope_key_id(envelope: str) -> str:
    """The key id an envelope was sealed with ("" for an empty value)."""
    if envelope == "":
        return ""
    return _split(envelope)[0]


def _split(envelope: str) -> tuple[str, str, bytes]:
    parts = envelope.split(":")
    if len(parts) != 4 or parts[0] != VERSION or parts[2] not in _SUBKEY:
        raise VaultError("malformed vault envelope")
    try:
        blob = base64.b64decode(parts[3], validate=True)
    except binascii.Error as exc:
        raise VaultError("malformed vault envelope") from exc
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise VaultError("malformed vault envelope")
    return parts[1], parts[2], blob


def decrypt_field(field_name: str, envelope: str, ring: KeyRing) -> str:
    """The plaintext of an envelope written for ``field_name``; VaultError when the
    envelope was altered, belongs to another field or its key is not in the ring."""
    if envelope == "":
        return ""
    key_id, alg, blob = _split(envelope)
    try:
        plain = _open(ring, key_id, alg, blob[:NONCE_BYTES], blob[NONCE_BYTES:],
                      _aad(field_name, key_id, alg))
    except InvalidTag as exc:
        raise VaultError("vault ciphertext failed authentication") from exc
    return plain.decode("utf-8")
