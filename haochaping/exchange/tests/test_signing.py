"""Signing and field encryption against fixed vectors; key rings and rotation."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl.sm4 import SM4_ENCRYPT, CryptSM4  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from haochaping.exchange.rules.errors import CodecError, KeyConfigError
from haochaping.exchange.rules.signing import (
    KeyRing,
    KeySet,
    hmac_sign,
    hmac_verify,
    ring_sign,
    ring_verify,
    sm2_check_public,
    sm2_keypair,
    sm2_public_key,
    sm2_sign,
    sm2_verify,
    sm3_digest,
    sm4_decrypt,
    sm4_decrypt_ring,
    sm4_encrypt,
)

# GB/T 32918 (SM2) example on the recommended curve: key pair, message, k and signature.
SM2_PRIVATE = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
SM2_PUBLIC = bytes.fromhex(
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13")
SM2_K = int("59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21", 16)
SM2_SIGNATURE = bytes.fromhex(
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA")
SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


def test_sm3_vectors() -> None:
    """GB/T 32905 appendix A."""
    assert sm3_digest(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    assert sm3_digest(b"abcd" * 16).hex() == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")


def test_hmac_sha256_vector() -> None:
    """RFC 4231 test case 2."""
    signature = hmac_sign(b"Jefe", b"what do ya want for nothing?")
    assert signature.hex() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert hmac_verify(b"Jefe", b"what do ya want for nothing?", signature)
    assert not hmac_verify(b"Jefe", b"what do ya want for nothing!", signature)
    assert not hmac_verify(b"Jeff", b"what do ya want for nothing?", signature)


def test_sm2_standard_example() -> None:
    assert sm2_public_key(SM2_PRIVATE) == SM2_PUBLIC
    assert sm2_sign(SM2_PRIVATE, b"message digest", k=SM2_K) == SM2_SIGNATURE
    assert sm2_verify(SM2_PUBLIC, b"message digest", SM2_SIGNATURE)
    assert sm2_verify(b"\x04" + SM2_PUBLIC, b"message digest", SM2_SIGNATURE)


def test_sm2_refusals() -> None:
    assert not sm2_verify(SM2_PUBLIC, b"message digesT", SM2_SIGNATURE)
    assert not sm2_verify(SM2_PUBLIC, b"message digest", SM2_SIGNATURE[:-1])
    n_plus = bytes.fromhex("FF" * 32)
    assert not sm2_verify(SM2_PUBLIC, b"message digest", SM2_SIGNATURE[:32] + n_plus)
    assert not sm2_verify(SM2_PUBLIC, b"message digest", bytes(64))
    _, other = sm2_keypair()
    assert not sm2_verify(other, b"message digest", SM2_SIGNATURE)
    with pytest.raises(KeyConfigError):
        sm2_check_public(SM2_PUBLIC[:-1] + bytes([SM2_PUBLIC[-1] ^ 1]))  # off the curve
    with pytest.raises(KeyConfigError):
        sm2_public_key(bytes(32))


def test_sm2_public_key_starting_with_04_or_0_survives() -> None:
    """gmssl's constructor strips leading 0 and 4 characters of a public key; ours sets
    it after construction, so such keys verify."""
    found = 0
    for _ in range(200):
        private, public = sm2_keypair()
        if public.hex()[0] in "04":
            signature = sm2_sign(private, b"x")
            assert sm2_verify(public, b"x", signature)
            found += 1
            if found == 2:
                break
    assert found == 2


@settings(max_examples=10, deadline=None)
@given(message=st.binary(max_size=300))
def test_sm2_signs_anything_with_a_fresh_k(message: bytes) -> None:
    private, public = sm2_keypair()
    first, second = sm2_sign(private, message), sm2_sign(private, message)
    assert first != second  # k from secrets, fresh each time
    assert sm2_verify(public, message, first)
    assert sm2_verify(public, message, second)


def test_sm4_block_vector_and_an_independent_implementation() -> None:
    """GB/T 32907 appendix A, then our ECB text against gmssl's pure-Python SM4."""
    block = Cipher(algorithms.SM4(SM4_KEY), modes.ECB()).encryptor().update(SM4_KEY)
    assert block.hex() == "681edf34d206965e86b3e94f536e4246"
    gm = CryptSM4()
    gm.set_key(SM4_KEY, SM4_ENCRYPT)
    expected = gm.crypt_ecb(b"110101199001011234")  # PKCS#7 in gmssl too
    assert sm4_encrypt(SM4_KEY, "110101199001011234", "ecb", "hex") == expected.hex()
    assert sm4_encrypt(SM4_KEY, "张三", "ecb", "base64") == base64.b64encode(
        gm.crypt_ecb("张三".encode())).decode()


def test_sm4_cbc_layout_is_iv_then_ciphertext() -> None:
    iv = bytes(range(100, 116))
    enc = Cipher(algorithms.SM4(SM4_KEY), modes.CBC(iv)).encryptor()
    padded = b"13800000000" + bytes([5] * 5)
    text = base64.b64encode(iv + enc.update(padded) + enc.finalize()).decode()
    assert sm4_decrypt(SM4_KEY, text, "cbc", "base64") == "13800000000"
    with pytest.raises(ValueError, match="decrypt"):
        sm4_decrypt(bytes(16), text, "cbc", "base64")


@pytest.mark.parametrize("mode", ["cbc", "ecb", "gcm"])
@pytest.mark.parametrize("encoding", ["base64", "hex"])
@settings(max_examples=25, deadline=None)
@given(plain=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_sm4_round_trip(mode: str, encoding: str, plain: str) -> None:
    text = sm4_encrypt(SM4_KEY, plain, mode, encoding)
    assert sm4_decrypt(SM4_KEY, text, mode, encoding) == plain
    assert (text == "") == (plain == "")


def test_sm4_fresh_iv_and_tamper() -> None:
    assert sm4_encrypt(SM4_KEY, "a", "cbc", "hex") != sm4_encrypt(SM4_KEY, "a", "cbc", "hex")
    assert sm4_encrypt(SM4_KEY, "a", "ecb", "hex") == sm4_encrypt(SM4_KEY, "a", "ecb", "hex")
    sealed = bytearray(bytes.fromhex(sm4_encrypt(SM4_KEY, "110101199001011234", "gcm", "hex")))
    sealed[14] ^= 1
    with pytest.raises(ValueError, match="decrypt"):
        sm4_decrypt(SM4_KEY, sealed.hex(), "gcm", "hex")
    for garbage in ("zz", "00", "abc="):
        with pytest.raises(ValueError, match=r"decrypt|not"):
            sm4_decrypt(SM4_KEY, garbage, "cbc", "hex")


def test_sm4_ring_rotation_and_ambiguity() -> None:
    old, new = SM4_KEY, bytes(range(16))
    text = sm4_encrypt(old, "13800000000", "cbc", "base64")
    assert sm4_decrypt_ring(KeySet.of(("e2", new), ("e1", old)), text, "cbc", "base64") \
        == "13800000000"
    with pytest.raises(ValueError, match="no key"):
        sm4_decrypt_ring(KeySet.of(("e2", new)), sm4_encrypt(old, "x", "gcm", "hex"), "gcm", "hex")
    # Two keys of the set that both open a value: refused, never guessed.
    with pytest.raises(ValueError, match="ambiguous"):
        sm4_decrypt_ring(KeySet.of(("e2", old), ("e1", old)), text, "cbc", "base64")


def test_key_sets() -> None:
    keys = KeySet.of(("k2", b"new"), ("k1", b"old"))
    assert keys.current == ("k2", b"new")
    assert keys.get("k1") == b"old"
    assert keys.get("k0") is None
    assert keys.ids == ("k2", "k1")
    with pytest.raises(KeyConfigError):
        KeySet.of(("k1", b"a"), ("k1", b"b"))
    with pytest.raises(KeyConfigError) as caught:
        _ = KeySet().current
    assert caught.value.code == "exchange.key_missing"


def test_ring_rotation_for_both_algorithms() -> None:
    private_new, public_new = sm2_keypair()
    old_ring = KeyRing(hmac=KeySet.of(("k1", b"old-secret")),
                       sm2_private=KeySet.of(("s1", SM2_PRIVATE)))
    verifier = KeyRing(hmac=KeySet.of(("k2", b"new-secret"), ("k1", b"old-secret")),
                       sm2_peer_public=KeySet.of(("s2", public_new), ("s1", SM2_PUBLIC)))
    for alg in ("hmac-sha256", "sm2-sm3"):
        key_id, signature = ring_sign(alg, old_ring, b"payload")
        ring_verify(alg, verifier, key_id, b"payload", signature)  # the previous key: accepted
        with pytest.raises(CodecError) as caught:
            ring_verify(alg, verifier, "k9", b"payload", signature)
        assert caught.value.code == "exchange.unknown_key"
        with pytest.raises(CodecError) as caught:
            ring_verify(alg, verifier, key_id, b"payloaD", signature)
        assert caught.value.code == "exchange.bad_signature"
    assert private_new != SM2_PRIVATE
