"""Every refusal a citizen page can show says in plain Chinese what happened and what to
do (issue 16): one mapping (evaluations.refusals), checked against every error code the
modules behind those pages raise, and the pages show the advice, never the bare code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from haochaping.core.errors import AppError
from haochaping.evaluations.refusals import ADVICE, FAMILY_ADVICE, HOTLINE, refusal_advice

APP = Path(__file__).resolve().parents[2]
# The modules behind the citizen pages: rating pages, window QR, pad and kiosk, the
# rater's reply page (and the engine steps it takes), /tousu/ and the request's edge.
MODULES = [
    *sorted((APP / "evaluations" / "views").glob("*.py")),
    *(APP / "evaluations" / name for name in ("public.py", "invitations.py", "rules.py",
                                               "services.py", "throttle.py",
                                               "staff_guard.py", "locking.py")),
    APP / "workorders" / "public.py", APP / "workorders" / "services" / "engine.py",
    APP / "workorders" / "services" / "steps.py", APP / "workorders" / "rules.py",
    *sorted((APP / "complaints" / "public").glob("*.py")),
    *(APP / "complaints" / "services" / name for name in ("intake.py", "feedback.py",
                                                          "attachments.py")),
    APP / "core" / "edge.py",
]
# Codes those modules raise only on staff screens and services (device registration,
# the department's and the office's work-order steps): never on a citizen page.
STAFF_ONLY = frozenset({
    "device.invalid_kind", "device.invalid_name", "device.window_inactive",
    "evaluation.invalid_reason_text", "forbidden.role", "forbidden.scope",
    "workorder.appeal_not_allowed", "workorder.appeal_too_late",
    "workorder.callback_required", "workorder.extension_not_allowed",
    "workorder.extension_pending", "workorder.extension_too_short",
    "workorder.head_approval_not_required", "workorder.head_approval_required",
    "workorder.invalid_attachments", "workorder.invalid_called_at",
    "workorder.invalid_complexity", "workorder.invalid_date", "workorder.invalid_grounds",
    "workorder.invalid_method", "workorder.invalid_org", "workorder.no_pending_extension",
    "workorder.rectification_required", "workorder.relay_no_call",
    "workorder.reopen_not_bad_review", "workorder.same_org", "workorder.wrong_party",
})
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def raised_codes() -> set[str]:
    """Every string literal shaped like an error code passed first to a call (an error's
    constructor) in the modules behind the citizen pages, plus the rate limiter's."""
    codes = {"rate_limited"}
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and CODE.match(node.args[0].value)):
                codes.add(node.args[0].value)
    return codes


def test_the_scan_finds_the_codes_it_should() -> None:
    codes = raised_codes()
    assert {"invitation.used", "phone.too_many_sends", "pad.not_presented",
            "workorder.satisfaction_given", "complaint.too_many"} <= codes
    assert len(codes) > 60


def test_every_code_of_the_citizen_pages_has_its_own_advice() -> None:
    missing = sorted(raised_codes() - STAFF_ONLY - set(ADVICE))
    assert not missing, f"add these to evaluations.refusals.ADVICE: {missing}"
    assert not STAFF_ONLY & set(ADVICE)  # a citizen code listed as staff-only is a mistake


def test_advice_is_plain_chinese_without_codes() -> None:
    for code, advice in [*ADVICE.items(), *FAMILY_ADVICE.items()]:
        assert advice.strip(), code
        assert re.search(r"[\u4e00-\u9fff]", advice), code
        assert not re.search(r"[a-z_]+\.[a-z_]+", advice), (code, advice)


def test_unknown_codes_still_get_a_next_step() -> None:
    assert refusal_advice("invitation.brand_new") == FAMILY_ADVICE["invitation"]
    assert refusal_advice("something.else") == HOTLINE
    assert refusal_advice("") == HOTLINE


@pytest.mark.parametrize("template", ["evaluations/partials/error.html",
                                      "evaluations/partials/alert.html",
                                      "complaints/public/partials/error.html",
                                      "complaints/public/partials/alert.html"])
@pytest.mark.parametrize("code", ["invitation.used", "phone.too_many_sends",
                                  "evaluation.reason_required", "complaint.too_many"])
def test_pages_show_the_message_and_advice_never_the_bare_code(template: str,
                                                               code: str) -> None:
    error = AppError(code=code, message="该评价链接已使用", status=409)
    html = render_to_string(template, {"error": error})
    assert "该评价链接已使用" in html
    assert refusal_advice(code) in html
    visible = re.sub(r"<[^>]+>", "", html)  # the code stays only in data-code
    assert code not in visible
    assert "错误代码" not in visible
