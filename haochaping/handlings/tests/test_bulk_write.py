"""The intake's multi-row write path (core.bulk) on SQLite and PostgreSQL: small
bulks (one VALUES statement) and big ones (COPY on PostgreSQL), raters new, existing and
repeated in one bulk, big status updates, raters inserted meanwhile by another intake."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import override_settings

from haochaping.core.bulk import COPY_FROM_ROWS
from haochaping.handlings.models import Handling, Rater
from haochaping.handlings.services import handling_intake
from haochaping.handlings.tests.support import national_item, person_id
from haochaping.vault import blind_index, decrypt_field
from haochaping.vault import services as vault_services

pytestmark = pytest.mark.django_db
SMALL, BIG = 12, COPY_FROM_ROWS + 30


def _person(locality: SimpleNamespace, proj_no: str, n: int, **extra: Any) -> dict[str, Any]:
    return national_item(locality, proj_no, **{"certKey": person_id(n),
                                                "telPhone": f"139{n:08d}", **extra})


def _rater_of(proj_no: str) -> Rater:
    return Handling.objects.select_related("rater").get(proj_no=proj_no).rater


@pytest.mark.parametrize("size", [SMALL, BIG])
def test_new_existing_and_repeated_raters(locality: SimpleNamespace, intake: SimpleNamespace,
                                          size: int) -> None:
    handling_intake(client=intake.client,
                    items=[_person(locality, f"OLD{n}", n) for n in range(4)])
    known = {n: _rater_of(f"OLD{n}").pk for n in range(4)}
    items = [_person(locality, f"NEW{n}", 100 + n) for n in range(size - 6)]
    items += [_person(locality, "SAME-A", 900), _person(locality, "SAME-B", 900),  # twice
              _person(locality, "K0-A", 0), _person(locality, "K0-B", 0),  # known, twice
              _person(locality, "K1", 1),
              _person(locality, "K2", 2, telPhone="13700137000")]  # known, new phone
    result = handling_intake(client=intake.client, items=items)
    assert (result.count("created"), result.errors) == (size, [])
    assert Handling.objects.count() == 4 + size
    assert Rater.objects.count() == 4 + (size - 6) + 1
    assert _rater_of("SAME-A").pk == _rater_of("SAME-B").pk
    assert {_rater_of("K0-A").pk, _rater_of("K0-B").pk} == {known[0]}
    assert (_rater_of("K1").pk, _rater_of("K2").pk) == (known[1], known[2])
    changed = Rater.objects.get(pk=known[2])
    assert changed.phone_masked == "137****7000"
    assert decrypt_field("phone", changed.phone_cipher) == "13700137000"
    assert changed.phone_index == blind_index("phone", "13700137000")
    fresh = _rater_of("NEW0")
    assert decrypt_field("id_no", fresh.id_no_cipher) == person_id(100)
    assert fresh.id_no_index == blind_index("id_no", person_id(100))
    assert fresh.name_masked == "张*"
    assert person_id(100) not in fresh.id_no_cipher


@override_settings(HCP_POLICY_PRESET="haiyang")
@pytest.mark.parametrize("size", [SMALL, BIG])
def test_status_updates_then_identical_resend(locality: SimpleNamespace,
                                              intake: SimpleNamespace, size: int) -> None:
    accepted = [_person(locality, f"P{n}", n, proStatus="2", resultDate=None)
                for n in range(size)]
    handling_intake(client=intake.client, items=accepted)
    assert not Handling.objects.filter(rating_closes_at__isnull=False).exists()
    done = [_person(locality, f"P{n}", n) for n in range(size)]
    updated = handling_intake(client=intake.client, items=done)
    assert (updated.count("updated"), updated.errors) == (size, [])
    rows = list(Handling.objects.values("status", "completed_at", "rating_closes_at",
                                        "invite_due_at", "created_at", "updated_at"))
    assert {r["status"] for r in rows} == {"completed"}
    assert {r["rating_closes_at"] for r in rows} == {
        datetime.fromisoformat("2025-03-10T23:59:59.999999+08:00")}
    assert {r["invite_due_at"] for r in rows} == {
        datetime.fromisoformat("2025-03-04T09:30:00+08:00")}
    assert all(r["updated_at"] > r["created_at"] for r in rows)
    again = handling_intake(client=intake.client, items=done)
    assert again.count("unchanged") == size
    assert list(Handling.objects.values("status", "completed_at", "rating_closes_at",
                                        "invite_due_at", "created_at", "updated_at")) == rows


@pytest.mark.parametrize("size", [SMALL, BIG])
def test_raters_inserted_meanwhile_are_found_not_duplicated(
        locality: SimpleNamespace, intake: SimpleNamespace, size: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """As when another intake commits the same raters between our look-up and our
    insert: the insert skips them and they are read back."""
    handling_intake(client=intake.client,
                    items=[_person(locality, f"A{n}", n) for n in range(size)])
    before = dict(Rater.objects.values_list("identity_index", "id"))
    real = vault_services._stored
    calls: list[int] = []

    def blind_first(indexes: list[str]) -> list[tuple[int, str, str]]:
        calls.append(len(indexes))
        return [] if len(calls) == 1 else real(indexes)

    monkeypatch.setattr(vault_services, "_stored", blind_first)
    result = handling_intake(client=intake.client,
                             items=[_person(locality, f"B{n}", n) for n in range(size)])
    assert (result.count("created"), result.errors) == (size, [])
    assert calls == [size, size]
    assert dict(Rater.objects.values_list("identity_index", "id")) == before
    assert Handling.objects.filter(rater_id__in=before.values()).count() == 2 * size
