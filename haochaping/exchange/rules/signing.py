"""Signatures and field encryption of the exchange; key rings with rotation. Pure: the
keys are passed in (``exchange.keys`` reads them from the environment).

- HMAC-SHA256 (``hmac``), compared in constant time.
- SM3 (GB/T 32905) through ``cryptography``; SM2 signatures (GB/T 32918.2) through
  ``gmssl``: e = SM3(Z ‖ M) with Z over the default user id ``1234567812345678``, the
  signature r ‖ s as 64 bytes. Two choices guard gmssl's defaults: the per-signature
  secret k comes from :mod:`secrets` (gmssl's own uses :mod:`random`, and a predictable k
  gives the private key away), and public keys are set after construction (its
  constructor strips leading ``0``/``4`` characters, not just the ``04`` prefix).
- SM4 field encryption (GB/T 32907) through ``cryptography``: ``cbc`` (a random 16-byte
  IV before the ciphertext, PKCS#7 padding), ``ecb`` (PKCS#7, no IV: equal values give
  equal ciphertexts, only for remotes that demand it) or ``gcm`` (a random 12-byte nonce
  before, the 16-byte tag after the ciphertext, no associated data); the bytes are then
  base64 or hex. UTF-8 text; "" stays "" (no value).

A :class:`KeyRing` holds the keys of one remote by purpose, each a :class:`KeySet` whose
first key is current: it signs and encrypts; every key of the set verifies and decrypts,
so a rotation never refuses a message signed or encrypted just before it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl import sm2  # type: ignore[import-untyped]

from haochaping.exchange.rules.errors import CodecError, KeyConfigError

# GB/T 32918.5 recommended curve.
_P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
_A = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", 16)
_B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
_G = bytes.fromhex(sm2.default_ecc_table["g"])
DEFAULT_USER_ID = b"1234567812345678"
SM4_KEY_BYTES = 16


@dataclass(frozen=True)
class KeySet:
    """Keys of one purpose by id, the current one first."""

    entries: tuple[tuple[str, bytes], ...] = ()

    @classmethod
    def of(cls, *entries: tuple[str, bytes]) -> KeySet:
        ids = [key_id for key_id, _ in entries]
        if len(set(ids)) != len(ids):
            raise KeyConfigError("exchange.key_config", "同一密钥编号出现了两次", "key_id")
        return cls(tuple(entries))

    def __bool__(self) -> bool:
        return bool(self.entries)

    @property
    def current(self) -> tuple[str, bytes]:
        if not self.entries:
            raise KeyConfigError("exchange.key_missing", "未配置所需的对接密钥", "key_id")
        return self.entries[0]

    def get(self, key_id: str) -> bytes | None:
        for known, key in self.entries:
            if known == key_id:
                return key
        return None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key_id for key_id, _ in self.entries)


@dataclass(frozen=True)
class KeyRing:
    """The keys of one remote: HMAC secrets (shared), our SM2 private keys, the remote's
    SM2 public keys (64 bytes X ‖ Y), SM4 keys (16 bytes, shared)."""

    hmac: KeySet = field(default_factory=KeySet)
    sm2_private: KeySet = field(default_factory=KeySet)
    sm2_peer_public: KeySet = field(default_factory=KeySet)
    sm4: KeySet = field(default_factory=KeySet)


# --- HMAC-SHA256 ----------------------------------------------------------------------


def hmac_sign(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def hmac_verify(key: bytes, message: bytes, signature: bytes) -> bool:
    return hmac.compare_digest(hmac_sign(key, message), signature)


# --- SM3 / SM2 ------------------------------------------------------------------------


def sm3_digest(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def _int32(value: int) -> bytes:
    return value.to_bytes(32, "big")


def sm2_check_public(public: bytes) -> bytes:
    """The 64-byte X ‖ Y of a public key (a leading 0x04 is dropped), checked to be a
    point of the curve; KeyConfigError otherwise."""
    if len(public) == 65 and public[0] == 4:
        public = public[1:]
    if len(public) != 64:
        raise KeyConfigError("exchange.key_config", "SM2 公钥应为 64 字节（X‖Y）", "sm2_public")
    x, y = int.from_bytes(public[:32], "big"), int.from_bytes(public[32:], "big")
    if x >= _P or y >= _P or (y * y - (x * x * x + _A * x + _B)) % _P != 0:
        raise KeyConfigError("exchange.key_config", "SM2 公钥不在曲线上", "sm2_public")
    return public


def _check_private(private: bytes) -> int:
    d = int.from_bytes(private, "big")
    if len(private) != 32 or not 1 <= d <= _N - 2:
        raise KeyConfigError("exchange.key_config", "SM2 私钥应为 32 字节且在曲线阶之内",
                             "sm2_private")
    return d


@lru_cache(maxsize=64)
def sm2_public_key(private: bytes) -> bytes:
    """The public key (64 bytes X ‖ Y) of a private key (32 bytes)."""
    d = _check_private(private)
    crypt = sm2.CryptSM2(private_key=private.hex(), public_key="")
    return bytes.fromhex(crypt._kg(d, sm2.default_ecc_table["g"]))


def sm2_keypair() -> tuple[bytes, bytes]:
    """A fresh key pair (private 32 bytes, public 64 bytes): for the fake remote, the
    demo and tests; a locality's keys come from its key management."""
    private = _int32(secrets.randbelow(_N - 2) + 1)
    return private, sm2_public_key(private)


def _sm2_e(public: bytes, message: bytes, user_id: bytes) -> bytes:
    entl = (len(user_id) * 8).to_bytes(2, "big")
    z = sm3_digest(entl + user_id + _int32(_A) + _int32(_B) + _G + public)
    return sm3_digest(z + message)


def sm2_sign(private: bytes, message: bytes, *, k: int | None = None,
             user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """r ‖ s (64 bytes). ``k`` is for test vectors only: left out, a fresh one is drawn
    from :mod:`secrets` for every signature."""
    public = sm2_public_key(private)
    crypt = sm2.CryptSM2(private_key=private.hex(), public_key="")
    e = _sm2_e(public, message, user_id)
    while True:
        nonce = k if k is not None else secrets.randbelow(_N - 1) + 1
        signature = crypt.sign(e, f"{nonce:064x}")
        if signature is not None:
            return bytes.fromhex(signature)
        if k is not None:
            raise ValueError("this k gives no signature")


def sm2_verify(public: bytes, message: bytes, signature: bytes, *,
               user_id: bytes = DEFAULT_USER_ID) -> bool:
    """Whether ``signature`` (r ‖ s) is ``public``'s over ``message``. A public-key check
    leaks no secret, so gmssl's plain integer compare is fine here."""
    if len(signature) != 64:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (1 <= r < _N and 1 <= s < _N):
        return False
    public = sm2_check_public(public)
    crypt = sm2.CryptSM2(private_key="", public_key="")
    crypt.public_key = public.hex()
    try:
        return bool(crypt.verify(signature.hex(), _sm2_e(public, message, user_id)))
    except (ValueError, TypeError, IndexError):
        return False


# --- signing with a ring ---------------------------------------------------------------


def ring_sign(alg: str, ring: KeyRing, message: bytes) -> tuple[str, bytes]:
    """(key id, signature) with the current key of ``alg``."""
    if alg == "hmac-sha256":
        key_id, key = ring.hmac.current
        return key_id, hmac_sign(key, message)
    key_id, private = ring.sm2_private.current
    return key_id, sm2_sign(private, message)


def ring_verify(alg: str, ring: KeyRing, key_id: str, message: bytes,
                signature: bytes) -> None:
    """Accept a signature made with any key of the ring, or raise ``exchange.unknown_key``
    / ``exchange.bad_signature``."""
    keys = ring.hmac if alg == "hmac-sha256" else ring.sm2_peer_public
    key = keys.get(key_id)
    if key is None:
        raise CodecError("exchange.unknown_key", f"未知的密钥编号 “{key_id[:64]}”", "key_id")
    ok = hmac_verify(key, message, signature) if alg == "hmac-sha256" \
        else sm2_verify(key, message, signature)
    if not ok:
        raise CodecError("exchange.bad_signature", "签名验证失败", "signature")


# --- SM4 field encryption --------------------------------------------------------------


def encode_bytes(data: bytes, encoding: str) -> str:
    return data.hex() if encoding == "hex" else base64.b64encode(data).decode("ascii")


def decode_bytes(text: str, encoding: str) -> bytes:
    """ValueError when ``text`` is not in ``encoding``."""
    try:
        if encoding == "hex":
            return bytes.fromhex(text)
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not " + encoding) from None


def sm4_encrypt(key: bytes, plaintext: str, mode: str, encoding: str) -> str:
    if plaintext == "":
        return ""
    data = plaintext.encode("utf-8")
    if mode == "gcm":
        nonce = os.urandom(12)
        sealer = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        sealed = nonce + sealer.update(data) + sealer.finalize() + sealer.tag
        return encode_bytes(sealed, encoding)
    padder = padding.PKCS7(128).padder()
    data = padder.update(data) + padder.finalize()
    iv = os.urandom(16) if mode == "cbc" else b""
    chosen = modes.CBC(iv) if mode == "cbc" else modes.ECB()
    enc = Cipher(algorithms.SM4(key), chosen).encryptor()
    return encode_bytes(iv + enc.update(data) + enc.finalize(), encoding)


def sm4_decrypt(key: bytes, text: str, mode: str, encoding: str) -> str:
    """The plaintext; ValueError when the text does not decrypt cleanly with this key
    (encoding, length, GCM tag, PKCS#7 padding, UTF-8)."""
    if text == "":
        return ""
    blob = decode_bytes(text, encoding)
    try:
        if mode == "gcm":
            if len(blob) < 28:
                raise ValueError("short")
            nonce, body, tag = blob[:12], blob[12:-16], blob[-16:]
            opener = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
            return (opener.update(body) + opener.finalize()).decode("utf-8")
        iv, body = (blob[:16], blob[16:]) if mode == "cbc" else (b"", blob)
        if not body or len(body) % 16:
            raise ValueError("length")
        chosen = modes.CBC(iv) if mode == "cbc" else modes.ECB()
        dec = Cipher(algorithms.SM4(key), chosen).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        data = unpadder.update(dec.update(body) + dec.finalize()) + unpadder.finalize()
        return data.decode("utf-8")
    except (InvalidTag, ValueError) as exc:  # a wrong tag, padding or UTF-8 alike
        raise ValueError("does not decrypt") from exc


def sm4_decrypt_ring(keys: KeySet, text: str, mode: str, encoding: str) -> str:
    """Decrypt with whichever key of the set opens ``text``. CBC and ECB have no tag: a
    wrong key passes the padding and UTF-8 checks with a tiny chance, so when two keys
    of a rotation both open a value it is refused as ambiguous rather than guessed."""
    opened: list[str] = []
    for _, key in keys.entries:
        try:
            opened.append(sm4_decrypt(key, text, mode, encoding))
        except ValueError:
            continue
        if mode == "gcm":
            break
    if len(opened) != 1:
        raise ValueError("ambiguous" if opened else "no key opens it")
    return opened[0]
