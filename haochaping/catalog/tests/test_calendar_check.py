"""``haochaping calendar check`` (management command ``calendar_check``)."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.management.commands.calendar_check import EXIT_UNCOVERED, Command
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.catalog.services.policy import calendar_override_set
from haochaping.cli import resolve

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar_check", *args, stdout=out)
    return out.getvalue()


@time_machine.travel(datetime(2025, 3, 1, 9, tzinfo=SHANGHAI), tick=False)
def test_covered_years_exit_zero() -> None:
    output = run()
    assert "2025: 已覆盖 covered" in output
    assert "2026: 已覆盖 covered" in output
    assert "NOT COVERED" not in output


@time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=SHANGHAI), tick=False)
def test_uncovered_next_year_fails_loudly() -> None:
    out = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("calendar_check", stdout=out)
    assert info.value.returncode == EXIT_UNCOVERED
    assert "2027: 未覆盖 NOT COVERED" in out.getvalue()
    assert "2026: 已覆盖 covered" in out.getvalue()
    assert "警告" in str(info.value)
    assert "WARNING" in str(info.value)


@time_machine.travel(datetime(2025, 3, 1, 9, tzinfo=SHANGHAI), tick=False)
def test_explicit_year_is_checked_too() -> None:
    with pytest.raises(CommandError) as info:
        run("--year", "2030")
    assert "2030" in str(info.value)


@time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=SHANGHAI), tick=False)
def test_office_overrides_cover_a_year(personas: SimpleNamespace) -> None:
    calendar_override_set(actor=actor_for_user(personas.admin), day=date(2027, 1, 1),
                          is_workday=False, note="元旦")
    output = run()
    assert "2027: 已覆盖 covered by office overrides only (1 条调整)" in output


def test_help_and_cli_mapping() -> None:
    text = Command().create_parser("haochaping", "calendar_check").format_help()
    assert "--year" in text
    assert resolve(["calendar", "check", "--help"]) == ["calendar_check", "--help"]
