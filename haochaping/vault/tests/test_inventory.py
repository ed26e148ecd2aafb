"""The inventory of personal data covers every model field that looks personal."""

from __future__ import annotations

from dataclasses import fields

from django.apps import apps

from haochaping.accounts.roles import Role
from haochaping.catalog.rules.policies import NATIONAL, Policy
from haochaping.vault.inventory import INVENTORY, SYSTEM, Purge, covered, purged_by_job
from haochaping.vault.inventory_scan import NOT_PERSONAL, looks_personal


def _model_fields() -> list[tuple[str, str]]:
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("haochaping."):
            continue
        found += [(model._meta.label, f.name) for f in model._meta.concrete_fields
                  if not f.is_relation]
    return found


def test_every_field_that_looks_personal_is_in_the_inventory_or_allowed() -> None:
    missing = [key for key in _model_fields() if looks_personal(key[1])
               and key not in covered() and key not in NOT_PERSONAL]
    assert missing == [], f"add these fields to vault/inventory.py (or NOT_PERSONAL): {missing}"


def test_a_new_personal_field_would_be_flagged() -> None:
    assert looks_personal("applicant_phone")
    assert looks_personal("contact_mobile")
    assert looks_personal("id_no_cipher")
    assert not looks_personal("created_at")


def test_inventory_and_allow_list_name_real_fields_and_do_not_overlap() -> None:
    real = set(_model_fields())
    assert covered() <= real
    assert set(NOT_PERSONAL) <= real
    assert not covered() & set(NOT_PERSONAL)


def test_entries_are_complete_and_periods_are_policy_keys() -> None:
    keys = {f.name for f in fields(Policy)}
    roles = {r.value for r in Role} | {SYSTEM}
    for entry in INVENTORY:
        assert all((entry.label, entry.purpose, entry.basis, entry.readers)), entry.key
        assert set(entry.readers) <= roles, entry.key
        if entry.purge is Purge.KEEP:
            assert entry.kept_because, entry.key
            assert not entry.retention, entry.key
        elif entry.retention:
            assert entry.retention in keys, entry.key
            assert getattr(NATIONAL, entry.retention).amount >= 30
    assert {e.model for e in purged_by_job()} >= {"handlings.Rater", "notify.OutboxMessage",
                                                   "notify.InboundSms", "complaints.Submission"}
