"""The vault at rest and the audited reveal: plaintext never in the database, reveal
limited by role and scope, every reveal audited without the values; key rotation."""

from __future__ import annotations

import base64
import io
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from haochaping.accounts.scoping import actor_for_client, actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.core.errors import PermissionDenied, ValidationError
from haochaping.handlings.models import Rater
from haochaping.handlings.services import handling_intake
from haochaping.handlings.tests.support import national_item
from haochaping.vault import blind_index, crypto
from haochaping.vault.crypto import envelope_key_id
from haochaping.vault.services import (
    rater_phone_for_delivery,
    rater_reveal,
    rater_upsert,
)

pytestmark = pytest.mark.django_db
NAME, ID_NO, PHONE = "张晓明", "41010519900307123X", "13800138000"
NEW_KEY = base64.b64encode(b"N" * 32).decode()


@pytest.fixture
def rater(locality: SimpleNamespace, intake: SimpleNamespace) -> Rater:
    handling_intake(client=intake.client, items=[national_item(locality)])
    return Rater.objects.get()


def test_no_plaintext_in_any_column(rater: Rater) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM handlings_rater")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM handlings_handling")
        rows += cursor.fetchall()
    dump = repr(rows)
    for secret in (NAME, ID_NO, PHONE, "晓明", "19900307", "00138000"):
        assert secret not in dump
    assert (rater.name_masked, rater.id_no_masked, rater.phone_masked) == (
        "张*", "410105********123X", "138****8000")


def test_find_by_blind_index(rater: Rater) -> None:
    assert Rater.objects.get(phone_index=blind_index("phone", "+86 138-0013-8000")) == rater
    assert Rater.objects.get(id_no_index=blind_index("id_no", ID_NO.lower())) == rater


@pytest.mark.parametrize("role", ["supervisor", "handler"])
def test_reveal_for_supervisor_and_handler_is_audited(rater: Rater,
                                                      personas: SimpleNamespace,
                                                      role: str) -> None:
    actor = actor_for_user(getattr(personas, role))
    identity = rater_reveal(actor=actor, rater=rater, purpose="差评回访")
    assert (identity.name, identity.id_no, identity.phone) == (NAME, ID_NO, PHONE)
    event = AuditEvent.objects.get(action="rater.reveal")
    assert event.actor_id == getattr(personas, role).pk
    assert event.object_id == str(rater.pk)
    assert event.after == {"purpose": "差评回访", "fields": ["name", "id_no", "phone"],
                           "subject": f"rater:{rater.pk}"}
    assert PHONE not in repr(event.after)
    assert NAME not in repr(event.after)


def test_reveal_decrypts_only_the_fields_asked_for(rater: Rater, personas: SimpleNamespace,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    decrypt = crypto.decrypt_field

    def spy(field: str, *args: object) -> str:
        opened.append(field)
        return decrypt(field, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(crypto, "decrypt_field", spy)
    identity = rater_reveal(actor=actor_for_user(personas.supervisor), rater=rater,
                            purpose="电话邀约评价", fields=("phone",))
    assert (identity.name, identity.id_no, identity.phone) == ("", "", PHONE)
    assert opened == ["phone"]
    event = AuditEvent.objects.get(action="rater.reveal")
    assert event.after == {"purpose": "电话邀约评价", "fields": ["phone"],
                           "subject": f"rater:{rater.pk}"}


@pytest.mark.parametrize("role", ["window_staff", "auditor", "admin"])
def test_reveal_refused_by_role(rater: Rater, personas: SimpleNamespace, role: str) -> None:
    with pytest.raises(PermissionDenied) as refused:
        rater_reveal(actor=actor_for_user(getattr(personas, role)), rater=rater,
                     purpose="差评回访")
    assert refused.value.code == "rater.reveal_forbidden"
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_reveal_refused_for_api_client(rater: Rater, intake: SimpleNamespace) -> None:
    with pytest.raises(PermissionDenied) as refused:
        rater_reveal(actor=actor_for_client(intake.client), rater=rater, purpose="回访")
    assert refused.value.code == "rater.reveal_forbidden"
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_reveal_refused_outside_scope(rater: Rater, personas: SimpleNamespace) -> None:
    with pytest.raises(PermissionDenied) as refused:
        rater_reveal(actor=actor_for_user(personas.outsider), rater=rater, purpose="回访")
    assert refused.value.code == "forbidden.scope"
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_reveal_needs_a_purpose(rater: Rater, personas: SimpleNamespace) -> None:
    with pytest.raises(ValidationError) as refused:
        rater_reveal(actor=actor_for_user(personas.handler), rater=rater, purpose=" ")
    assert (refused.value.code, refused.value.field) == ("rater.reveal_purpose_required",
                                                        "purpose")
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_phone_for_delivery(rater: Rater) -> None:
    assert rater_phone_for_delivery(rater) == PHONE


def test_rater_upsert_validates_and_dedupes(db: None) -> None:
    first = rater_upsert(kind="1", name=NAME, id_type="111", id_no=ID_NO, phone=PHONE)
    again = rater_upsert(kind="1", name=NAME, id_type="111", id_no=ID_NO.lower(),
                         phone="13900139000")
    assert again.pk == first.pk
    assert again.phone_masked == "139****9000"
    with pytest.raises(ValidationError) as bad:
        rater_upsert(kind="1", name=NAME, id_type="111", id_no="123", phone="")
    assert bad.value.code == "handling.bad_id_no"
    assert Rater.objects.count() == 1


@pytest.mark.parametrize("cipher", ["aes-gcm", "sm4-gcm"])
def test_rekey_moves_rows_to_the_new_key(rater: Rater, personas: SimpleNamespace,
                                         cipher: str) -> None:
    old_keys = settings.HCP_FIELD_KEYS
    with override_settings(HCP_FIELD_KEYS=f"k2:{NEW_KEY},{old_keys}", HCP_FIELD_CIPHER=cipher):
        # before the run, the old key still decrypts
        assert rater_phone_for_delivery(rater) == PHONE
        call_command("rekey_raters", "--batch-size", "1", stdout=io.StringIO())
        rater.refresh_from_db()
        assert rater.key_id == "k2"
        assert {envelope_key_id(c) for c in (rater.name_cipher, rater.id_no_cipher,
                                             rater.phone_cipher)} == {"k2"}
        identity = rater_reveal(actor=actor_for_user(personas.supervisor), rater=rater,
                                purpose="投诉核实")
        assert (identity.name, identity.id_no, identity.phone) == (NAME, ID_NO, PHONE)
        before = rater.updated_at
        call_command("rekey_raters", stdout=io.StringIO())  # idempotent
        rater.refresh_from_db()
        assert rater.updated_at == before
    with override_settings(HCP_FIELD_KEYS=f"k2:{NEW_KEY}"):
        assert rater_phone_for_delivery(rater) == PHONE  # old key no longer needed
