"""Invitation tokens: format, signature, expiry, single use, subject binding."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from haochaping.core.errors import AppError
from haochaping.evaluations.invitations import (
    _mac,
    invitation_covers,
    invitation_create,
    invitation_resolve,
    subject_of,
)
from haochaping.evaluations.models import Invitation

pytestmark = pytest.mark.django_db


def code_of(token: str) -> str:
    with pytest.raises(AppError) as exc:
        invitation_resolve(token)
    return exc.value.code


def test_token_shape_and_resolve(world: SimpleNamespace) -> None:
    h = world.handling()
    inv, token = invitation_create(handling=h, rater=h.rater, channel="sms",
                                   ttl=timedelta(days=5))
    token_id, expires, mac = token.split(".")
    assert token_id == inv.token_id
    assert len(token_id) >= 22
    assert int(expires) == int(inv.expires_at.timestamp())
    assert len(mac) == 22  # SHA-256's first 128 bits, URL-safe base64 (a short SMS link)
    assert invitation_resolve(token).pk == inv.pk
    # a link sent before, with the full-length MAC, still resolves; a cut one does not
    full = _mac(inv.token_id, int(expires), subject_of(inv))
    assert invitation_resolve(f"{token_id}.{expires}.{full}").pk == inv.pk
    with pytest.raises(AppError):
        invitation_resolve(f"{token_id}.{expires}.{full[:30]}")
    assert inv.token_id not in (i.token_id for i in Invitation.objects.exclude(pk=inv.pk))


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: t.split(".")[0] + "." + str(int(t.split(".")[1]) + 3600) + "." + t.split(".")[2],
    lambda t: "x" * 22 + "." + t.split(".", 1)[1],
    lambda t: t.replace(".", ""),
    lambda t: t + ".extra",
    lambda t: "",
])
def test_forged_tokens_are_invalid(world: SimpleNamespace, mangle: object) -> None:
    h = world.handling()
    _, token = invitation_create(handling=h, rater=h.rater, channel="link",
                                 ttl=timedelta(days=1))
    assert code_of(mangle(token)) == "invitation.invalid"  # type: ignore[operator]


def test_a_token_signed_for_another_subject_is_invalid(world: SimpleNamespace) -> None:
    a, b = world.handling(), world.handling()
    inv, _ = invitation_create(handling=a, rater=a.rater, channel="link",
                               ttl=timedelta(days=1))
    expires = int(inv.expires_at.timestamp())
    # A MAC made for handling B (as if leaked from B's link) does not open A's row.
    forged = f"{inv.token_id}.{expires}.{_mac(inv.token_id, expires, f'h:{b.pk}')}"
    assert code_of(forged) == "invitation.invalid"
    assert not invitation_covers(inv, b)
    assert invitation_covers(inv, a)


def test_a_different_secret_key_invalidates_tokens(world: SimpleNamespace) -> None:
    h = world.handling()
    _, token = invitation_create(handling=h, rater=h.rater, channel="link",
                                 ttl=timedelta(days=1))
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
        assert code_of(token) == "invitation.invalid"


def test_expired_and_used(world: SimpleNamespace) -> None:
    h = world.handling()
    inv, token = invitation_create(handling=h, rater=h.rater, channel="link",
                                   ttl=timedelta(hours=1))
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert code_of(token) == "invitation.expired"
    Invitation.objects.filter(pk=inv.pk).update(used_at=timezone.now())
    assert code_of(token) == "invitation.used"


def test_batch_invitation_covers_the_raters_batch_only(world: SimpleNamespace) -> None:
    a = world.handling(batch_no="B7")
    b = world.handling(batch_no="B7")
    stranger = world.handling(batch_no="B7", rater=world.other_rater)
    inv, token = invitation_create(batch_no="B7", client=world.source, rater=world.rater,
                                   channel="link", ttl=timedelta(days=1))
    assert invitation_resolve(token).pk == inv.pk
    assert invitation_covers(inv, a)
    assert invitation_covers(inv, b)
    assert not invitation_covers(inv, stranger)


def test_batch_invitation_covers_its_business_systems_batch_only(
        world: SimpleNamespace) -> None:
    """Batch numbers are each business system's own: the same rater's "B7" from another
    system is another batch."""
    mine = world.handling(batch_no="B7")
    elsewhere = world.handling(batch_no="B7", client=world.app)
    inv, _ = invitation_create(batch_no="B7", client=world.source, rater=world.rater,
                               channel="link", ttl=timedelta(days=1))
    assert inv.client_id == world.source.pk
    assert invitation_covers(inv, mine)
    assert not invitation_covers(inv, elsewhere)


def test_a_batch_invitation_needs_its_business_system(world: SimpleNamespace) -> None:
    with pytest.raises(AppError) as exc:
        invitation_create(batch_no="B7", rater=world.rater, channel="link",
                          ttl=timedelta(days=1))
    assert exc.value.code == "invitation.no_client"
    assert not Invitation.objects.exists()


def test_an_invitation_needs_a_subject(world: SimpleNamespace) -> None:
    with pytest.raises(AppError) as exc:
        invitation_create(rater=world.rater, channel="link", ttl=timedelta(days=1))
    assert exc.value.code == "invitation.no_subject"
    assert not Invitation.objects.exists()


def test_migration_gives_old_batch_invitations_their_system_when_unambiguous(
        world: SimpleNamespace) -> None:
    from importlib import import_module

    from django.apps import apps

    backfill = import_module(
        "haochaping.evaluations.migrations.0005_batch_invitation_client").backfill
    world.handling(batch_no="ONE")
    world.handling(batch_no="TWO")
    world.handling(batch_no="TWO", client=world.app)
    expires = timezone.now() + timedelta(days=1)
    one, two = (Invitation.objects.create(token_id=f"t-{batch}", batch_no=batch,
                                          rater=world.rater, channel="sms",
                                          expires_at=expires)
                for batch in ("ONE", "TWO"))
    backfill(apps, None)
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.client_id == world.source.pk
    assert two.client_id is None  # two systems use "TWO": it keeps covering both
