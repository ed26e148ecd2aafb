"""The inventory of personal data covers every model field that looks personal."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps

from haochaping.accounts.roles import Role
from haochaping.catalog.rules.policies import Policy
from haochaping.catalog.rules.policy_presets import NATIONAL
from haochaping.vault.inventory import INVENTORY, SYSTEM, Purge, covered, purged_by_job
from haochaping.vault.inventory_scan import NOT_PERSONAL, looks_personal
from tests.factories import logged_in


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


@pytest.mark.django_db
def test_the_inventory_screen_is_for_the_administrators_and_the_office(
        personas: SimpleNamespace) -> None:
    for who in ("security", "audit_admin", "supervisor"):
        page = logged_in(getattr(personas, who)).get("/work/privacy/")
        assert page.status_code == 200, who
        html = page.content.decode()
        assert html.count("<tr data-entry=") == len(INVENTORY)
        assert "评价人身份信息保存期限：1095 个自然日" in html
        assert 'data-testid="purged-raters">0<' in html
    for who in ("window_staff", "handler"):
        assert logged_in(getattr(personas, who)).get("/work/privacy/").status_code == 403
    home = logged_in(personas.security).get("/").content.decode()
    assert 'href="/work/privacy/"' in home


def test_docs_list_every_inventory_entry() -> None:
    text = (Path(__file__).resolve().parents[3] / "docs" / "privacy.md").read_text()
    missing = [e.key for e in INVENTORY if f"`{e.model}`: {', '.join(e.fields)}" not in text]
    assert missing == [], "docs/privacy.md misses inventory rows (vault.inventory)"
