"""Personal data never in logs or error reports (issue 17, "Raters protected"): the
configured handlers mask phones, ID numbers and landlines in messages, arguments, extra
fields, tracebacks and access lines (Django's, runserver's and gunicorn's); a 500 report
hides personal fields and masks the rest."""

from __future__ import annotations

import json
import logging
import logging.config
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.views.debug import get_exception_reporter_class, technical_500_response

from haochaping.core.logs import PersonalDataFilter, logging_config
from haochaping.core.pii import scrub

PHONE, ID_NO, LANDLINE = "13812341234", "11010519491231002X", "0371-65432100"
MASKED_PHONE, MASKED_ID = "138****1234", "110105********002X"
NAME = "欧阳晓明"


@pytest.fixture
def configured(tmp_path: Path) -> Iterator[Path]:
    """The production configuration (JSON lines into files, text on the console)."""
    try:
        logging.config.dictConfig(logging_config(level="INFO", fmt="json",
                                                 log_dir=str(tmp_path), retention_days=1))
        yield tmp_path
    finally:
        logging.config.dictConfig(settings.LOGGING)  # the test settings again


def _flush() -> None:
    for name in ("", "haochaping.security", "django.server"):
        for handler in logging.getLogger(name).handlers:
            handler.flush()


def _boom() -> None:
    phone = PHONE  # noqa: F841 - a local variable the report would show
    raise ValueError(f"rater {PHONE} / {ID_NO} not found")


def test_logged_phones_and_id_numbers_are_masked(configured: Path) -> None:
    log = logging.getLogger("haochaping.somewhere")
    log.warning("rater %s, ID %s, office %s", PHONE, ID_NO, LANDLINE,
                extra={"path": f"/q/w/W1/start?phone={PHONE}", "phone_int": int(PHONE)})
    log.warning({"event": "dict message", "mobile": f"+86 {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}"})
    try:
        _boom()
    except ValueError:
        log.exception("lookup failed for %s", PHONE)
    logging.getLogger("haochaping.security").warning("rating.x", extra={"detail": ID_NO})
    _flush()
    app = (configured / "app.jsonl").read_text(encoding="utf-8")
    security = (configured / "security.jsonl").read_text(encoding="utf-8")
    for text in (app, security):
        assert PHONE not in text
        assert ID_NO not in text
        assert "65432100" not in text
    lines = [json.loads(line) for line in app.splitlines()]
    assert lines[0]["message"] == f"rater {MASKED_PHONE}, ID {MASKED_ID}, office 0371-****2100"
    assert lines[0]["path"] == "/q/w/W1/start?phone=***"
    assert lines[0]["phone_int"] == MASKED_PHONE
    assert lines[1]["mobile"] == MASKED_PHONE
    assert "ValueError: rater 138****1234" in lines[2]["exc_info"]
    assert MASKED_ID in security


def test_the_console_and_access_lines_are_masked(capsys: pytest.CaptureFixture[str]) -> None:
    """Text format (the demo), runserver's access lines and gunicorn's."""
    from gunicorn.config import Config

    from haochaping.core.gunicorn_logs import ScrubbingLogger

    try:
        logging.config.dictConfig(logging_config(level="INFO", fmt="text", log_dir="",
                                                 retention_days=1))
        logging.getLogger("haochaping.x").warning("sent to %s", PHONE)
        logging.getLogger("django.server").info('"%s" %s %s',
                                                f"GET /tousu/track/?phone={PHONE} HTTP/1.1",
                                                400, 12)
        logging.getLogger("django.request").warning("Bad Request: %s", f"/x?id_no={ID_NO}")
    finally:
        logging.config.dictConfig(settings.LOGGING)
    config = Config()
    config.set("accesslog", "-")
    gunicorn = ScrubbingLogger(config)
    gunicorn.access_log.info('%(h)s "%(r)s" %(s)s', {
        "h": "10.0.0.1", "r": f"GET /r/abc?big=1&mobile={PHONE}&key=s3cret HTTP/1.1", "s": 200})
    out = capsys.readouterr()
    text = out.out + out.err
    assert "sent to 138****1234" in text
    assert "/tousu/track/?phone=*** HTTP/1.1" in text
    assert "/x?id_no=***" in text
    assert "big=1&mobile=***&key=***" in text
    assert PHONE not in text
    assert ID_NO not in text
    assert "s3cret" not in text


def test_every_configured_handler_masks() -> None:
    for log_dir in ("", "/tmp/hcp-logs"):
        config = logging_config(level="INFO", fmt="json", log_dir=log_dir, retention_days=1)
        for name, handler in config["handlers"].items():
            assert handler["filters"] == ["personal_data"], name
        assert config["filters"]["personal_data"]["()"].endswith("PersonalDataFilter")


def test_the_filter_leaves_ordinary_numbers_alone() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1,
                               "order %s took %d ms at %s", ("P2026120700012345", 1733561234567,
                                                             "2026-12-07 13:45:01"), None)
    PersonalDataFilter().filter(record)
    assert record.getMessage() == ("order P2026120700012345 took 1733561234567 ms at "
                                   "2026-12-07 13:45:01")
    assert scrub(f"tel:{PHONE}") == f"tel:{MASKED_PHONE}"


def _report(request: object, *, debug: bool) -> tuple[str, str, str]:
    try:
        _boom()
    except ValueError:
        info = sys.exc_info()
    reporter = get_exception_reporter_class(request)(request, *info)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "DEBUG", debug)
        page = technical_500_response(request, *info).content.decode()
    return reporter.get_traceback_html(), reporter.get_traceback_text(), page


@pytest.mark.parametrize("debug", [False, True])
def test_a_500_report_holds_no_personal_data(debug: bool) -> None:
    request = RequestFactory().post(
        f"/tousu/track/?phone={PHONE}&ref=T1",
        {"id_no": ID_NO, "rater_name": NAME, "name": NAME, "token": "abc-token-xyz",
         "code": "842913", "text": f"请回电 {PHONE} 或 {LANDLINE}"},
        HTTP_REFERER=f"https://hcp.example/q/w/W1?mobile={PHONE}")
    html, text, page = _report(request, debug=debug)
    for report in (html, text, page):
        assert PHONE not in report
        assert ID_NO not in report
        assert NAME not in report
        assert "abc-token-xyz" not in report
        assert "842913" not in report
        assert "65432100" not in report
        assert "ValueError" in report  # still a useful report
    assert MASKED_PHONE in text
    assert "ref=T1" in text


def test_error_reports_hide_personal_settings() -> None:
    from haochaping.core.reporting import PersonalDataReporterFilter

    reporter_filter = PersonalDataReporterFilter()
    assert reporter_filter.cleanse_setting("HCP_SMS_GATEWAY_SECRET", "x") != "x"
    assert reporter_filter.cleanse_setting("DEMO_PHONE", PHONE) != PHONE
    assert reporter_filter.cleanse_setting("SOMETHING", f"call {PHONE}") == \
        f"call {MASKED_PHONE}"
    assert settings.DEFAULT_EXCEPTION_REPORTER_FILTER.endswith("PersonalDataReporterFilter")
