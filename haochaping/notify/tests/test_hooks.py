"""Notify's inbound-SMS hook table: filled by the SMS rating channel (evaluations)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from haochaping.evaluations.sms.replies import sms_reply_process
from haochaping.notify import hooks

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_evaluations_fills_the_hook_at_start_up() -> None:
    assert hooks._handler == [sms_reply_process]


def test_without_a_handler_a_reply_is_unhandled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hooks, "_handler", [])
    assert hooks.inbound_sms_handle(phone_index="x", body="5", now=NOW) == hooks.UNHANDLED


def test_the_outcome_is_cut_to_its_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hooks, "_handler", [lambda **kw: "x" * 100])
    assert hooks.inbound_sms_handle(phone_index="x", body="5", now=NOW) == "x" * 64
