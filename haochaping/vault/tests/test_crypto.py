"""The vault's pure crypto, blind index and masks (no database)."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haochaping.vault import crypto, identity
from haochaping.vault.crypto import VaultError, parse_key_ring

KEY_A = base64.b64encode(b"A" * 32).decode()
KEY_B = base64.b64encode(b"B" * 32).decode()
RINGS = {
    "aes-gcm": parse_key_ring(f"k1:{KEY_A}", "aes-gcm"),
    "sm4-gcm": parse_key_ring(f"k1:{KEY_A}", "sm4-gcm"),
}
CIPHERS = sorted(RINGS)
INDEX_KEY = b"i" * 32
texts = st.text(min_size=1, max_size=200)


@pytest.mark.parametrize("cipher", CIPHERS)
@given(plain=texts)
def test_round_trip(cipher: str, plain: str) -> None:
    ring = RINGS[cipher]
    envelope = crypto.encrypt_field("name", plain, ring)
    assert envelope.split(":")[:3] == ["v1", "k1", ring.alg]
    assert crypto.decrypt_field("name", envelope, ring) == plain


@pytest.mark.parametrize("cipher", CIPHERS)
@given(plain=texts, data=st.data())
def test_any_flipped_bit_is_detected(cipher: str, plain: str, data: st.DataObject) -> None:
    ring = RINGS[cipher]
    envelope = crypto.encrypt_field("phone", plain, ring)
    head, blob = envelope.rsplit(":", 1)
    raw = bytearray(base64.b64decode(blob))
    bit = data.draw(st.integers(0, len(raw) * 8 - 1))
    raw[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(VaultError):
        crypto.decrypt_field("phone", f"{head}:{base64.b64encode(bytes(raw)).decode()}", ring)


@pytest.mark.parametrize("cipher", CIPHERS)
def test_ciphertext_of_another_field_fails(cipher: str) -> None:
    ring = RINGS[cipher]
    phone = crypto.encrypt_field("phone", "13800138000", ring)
    with pytest.raises(VaultError, match="authentication"):
        crypto.decrypt_field("name", phone, ring)


def test_header_cannot_be_switched_to_the_other_algorithm() -> None:
    envelope = crypto.encrypt_field("name", "张晓明", RINGS["aes-gcm"])
    forged = envelope.replace(":a256gcm:", ":sm4gcm:")
    with pytest.raises(VaultError):
        crypto.decrypt_field("name", forged, RINGS["sm4-gcm"])


def test_nonce_is_fresh_each_time() -> None:
    ring = RINGS["aes-gcm"]
    assert crypto.encrypt_field("name", "张三", ring) != crypto.encrypt_field("name", "张三", ring)


@given(plain=texts)
def test_rotation_old_key_still_decrypts(plain: str) -> None:
    old = parse_key_ring(f"k1:{KEY_A}", "aes-gcm")
    rotated = parse_key_ring(f"k2:{KEY_B},k1:{KEY_A}", "sm4-gcm")
    envelope = crypto.encrypt_field("id_no", plain, old)
    assert crypto.decrypt_field("id_no", envelope, rotated) == plain
    fresh = crypto.encrypt_field("id_no", plain, rotated)
    assert crypto.envelope_key_id(fresh) == "k2"
    with pytest.raises(VaultError, match="unknown field key"):
        crypto.decrypt_field("id_no", fresh, old)


@pytest.mark.parametrize(("spec", "cipher"), [
    ("", "aes-gcm"), ("k1", "aes-gcm"), ("k1:not-base64!", "aes-gcm"),
    (f"k1:{base64.b64encode(b'short').decode()}", "aes-gcm"), (f"k1:{KEY_A}", "des"),
    (f"k1:{KEY_A},k1:{KEY_B}", "aes-gcm"), (f"a:b:{KEY_A}", "aes-gcm"),
])
def test_bad_key_settings_are_refused(spec: str, cipher: str) -> None:
    with pytest.raises(VaultError):
        parse_key_ring(spec, cipher)


def test_empty_value_stays_empty() -> None:
    assert crypto.encrypt_field("name", "", RINGS["aes-gcm"]) == ""
    assert crypto.decrypt_field("name", "", RINGS["aes-gcm"]) == ""


@pytest.mark.parametrize("envelope", ["v1:k1", "v2:k1:a256gcm:AAAA", "v1:k1:a256gcm:%%%",
                                      "v1:k1:a256gcm:AAAA"])
def test_malformed_envelopes(envelope: str) -> None:
    with pytest.raises(VaultError, match="malformed"):
        crypto.decrypt_field("name", envelope, RINGS["aes-gcm"])


@given(digits=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_phone_index_is_stable_under_formatting(digits: str) -> None:
    plain = identity.blind_index("phone", identity.normalise_phone(digits), INDEX_KEY)
    for variant in (f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}", f"0086{digits}",
                    f"86-{digits}", f" {digits} "):
        assert identity.blind_index("phone", identity.normalise_phone(variant),
                                    INDEX_KEY) == plain


def test_index_domains_are_separated_and_keyed() -> None:
    value = "13800138000"
    assert identity.blind_index("phone", value, INDEX_KEY) != identity.blind_index(
        "id_no", value, INDEX_KEY)
    assert identity.blind_index("phone", value, INDEX_KEY) != identity.blind_index(
        "phone", value, b"j" * 32)
    with pytest.raises(ValueError, match="domain"):
        identity.blind_index("email", value, INDEX_KEY)


def test_id_number_normalisation() -> None:
    assert identity.normalise_id_no(" 410105 19900307123x ") == "41010519900307123X"


@pytest.mark.parametrize(("name", "kind", "masked"), [
    ("张明", "1", "张*"), ("张晓明", "1", "张*"), ("欧阳晓明", "1", "欧*"), ("", "1", ""),
    ("郑州市某某科技有限公司", "2", "郑州****公司"), ("某公司", "2", "某*"),
])
def test_name_masks(name: str, kind: str, masked: str) -> None:
    assert identity.mask_name(name, kind) == masked


@pytest.mark.parametrize(("phone", "masked"), [("13812341234", "138****1234"),
                                               ("037112345678", "037****5678"), ("", "")])
def test_phone_masks(phone: str, masked: str) -> None:
    assert identity.mask_phone(phone) == masked


@pytest.mark.parametrize(("id_no", "masked"), [("41010519900307123X", "410105********123X"),
                                               ("AB12345", "A*****5"), ("", "")])
def test_id_masks(id_no: str, masked: str) -> None:
    assert identity.mask_id_no(id_no) == masked


@given(st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True))
def test_id_mask_never_shows_birth_date(id_no: str) -> None:
    masked = identity.mask_id_no(id_no)
    assert masked[6:14] == "********"
    assert masked[:6] == id_no[:6]
    assert masked[-4:] == id_no[-4:]
