"""A bounded schemathesis run over the whole OpenAPI (issue 17): no input answers 5xx, and
every answer with a documented status matches its documented schema.

Every operation of the API's OpenAPI document (the one served at
``/api/v1/openapi.json``) gets the schemathesis phases ``examples``, ``coverage`` (edge
values: huge integers, NUL bytes, odd dates...) and ``fuzzing`` (:data:`EXAMPLES` generated
requests, schema-valid and schema-invalid), from one fixed seed and without an example
database, so every run sends the same requests. Each request goes as one of four callers:
a business system's API key holding every client scope, and the sessions of the city
office, a department handler and the system administrator (with a CSRF token). Half of
the requests are aimed at real rows: their path keys and body references are replaced by
those of the world below (a bad review with its work order, the catalog, a monthly
report), the rest keep the generated values. The world also holds text stored before the
edge cleaned input (control characters in a name and a rating), which every export must
still write.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from haochaping.accounts.rules import CLIENT_SCOPES
from haochaping.accounts.scoping import security_actor
from haochaping.accounts.services import MAX_RATE_LIMIT, api_client_create
from haochaping.catalog.models import Org
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.guards import EVALUATION_GUARD
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.stats.reports import monthly_report_generate
from haochaping.workorders.models import WorkOrder
from tests.factories import logged_in
from tests.records import guard_lifted

# The bound of the run: generated requests per operation in the fuzzing phase (the
# examples and coverage phases add their own, fixed, cases), one seed, no database of
# past examples. About a minute and a half per pass on a 2-core machine.
EXAMPLES = 25
SEED = 17
CSRF = "fuzzcsrftokenfuzzcsrftoken012345"  # the cookie and header Django compares
CALLERS = ("key", "office", "handler", "admin")

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"max-examples": EXAMPLES, "database": "none"},
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True},
               "fuzzing": {"enabled": True}, "stateful": {"enabled": False}},
})
schema = schemathesis.pytest.from_fixture("api_schema")


def _targets(loc: SimpleNamespace, order: WorkOrder, report_pk: int, victim_pk: int,
             proj_no: str) -> dict[tuple[str, str], Any]:
    """(path template prefix, parameter) -> a real value for it."""
    catalog = {"regions": loc.city_region.pk, "orgs": loc.market.pk, "halls": loc.hall.pk,
               "windows": loc.window.pk, "staff": loc.staff.pk, "matters": loc.matter.pk}
    return {
        **{(f"/api/v1/catalog/{name}/{{pk}}", "pk"): pk for name, pk in catalog.items()},
        ("/api/v1/catalog/import/{entity}", "entity"): "orgs",
        ("/api/v1/catalog/export/{entity}", "entity"): "orgs",
        ("/api/v1/workorders/{pk}", "pk"): order.pk,
        ("/api/v1/stats/exports/reports/{pk}", "pk"): report_pk,
        ("/api/v1/accounts/api-clients/{client_id}", "client_id"): victim_pk,
        ("/api/v1/handlings/{proj_no}", "proj_no"): proj_no,
    }


class World:
    def __init__(self, callers: dict[str, dict[str, dict[str, str]]],
                 targets: dict[tuple[str, str], Any], query: dict[str, Any],
                 body: dict[str, Any]) -> None:
        self.callers = callers
        self.targets = targets
        self.query = query
        self.body = body

    def aim(self, case: Any) -> None:
        """Point the case's path keys, figure and dates and body references at real rows."""
        for name in list(case.path_parameters or {}):
            for (prefix, param), value in self.targets.items():
                if param == name and case.operation.path.startswith(prefix):
                    case.path_parameters[name] = value
        for name, value in self.query.items():
            if case.query and name in case.query:
                case.query[name] = value
        if isinstance(case.body, dict):
            for name, value in self.body.items():
                if name in case.body:
                    case.body[name] = value


@pytest.fixture
def fuzz_world(locality: SimpleNamespace, personas: SimpleNamespace, settings: Any,
               tmp_path: Path, django_capture_on_commit_callbacks: Any) -> World:
    settings.MEDIA_ROOT = tmp_path  # the monthly report's files
    _, key = api_client_create(actor=security_actor("fuzz"), name="业务系统",
                               org=locality.city_office, scopes=list(CLIENT_SCOPES),
                               rate_limit_per_minute=MAX_RATE_LIMIT)
    victim, _ = api_client_create(actor=security_actor("fuzz"), name="待停用系统",
                                  org=locality.market, scopes=["catalog:read"])
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    handling = ef.make_handling(locality, client=source, rater=ef.make_rater())
    other = ef.make_handling(locality, client=source, rater=ef.make_rater(phone="13912345678"),
                             completed_at=handling.completed_at - timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        [rating] = evaluation_submit(handling=handling, channel=Channel.WEB,
                                     rating=RatingInput(1, reason_codes=["108"], text="反复补充"))
    # Stored before the edge cleaned input: exports must still write these rows.
    with guard_lifted(EVALUATION_GUARD):  # as if rated with this text
        Evaluation.objects.filter(pk=rating.pk).update(text="=1+1\x0b\x1b差")
    Org.objects.filter(pk=locality.market.pk).update(name="市场\x0b监管局")
    report, _ = monthly_report_generate(period=timezone.localdate().replace(day=1),
                                        scope_org=None, now=timezone.now())

    def session(user: Any) -> dict[str, dict[str, str]]:
        cookie = logged_in(user).cookies["sessionid"].value
        return {"headers": {"X-CSRFToken": CSRF},
                "cookies": {"sessionid": cookie, "csrftoken": CSRF}}

    callers = {"key": {"headers": {"X-Api-Key": key}}, "office": session(personas.supervisor),
               "handler": session(personas.handler), "admin": session(personas.admin)}
    order = WorkOrder.objects.get(evaluation=rating)
    targets = _targets(locality, order, report.pk, victim.pk, handling.proj_no)
    today = timezone.localdate().isoformat()
    query = {"figure": "bad_reviews", "start": today, "end": today}
    body = {"proj_no": other.proj_no, "handling_id": other.pk, "org_id": locality.market.pk}
    return World(callers, targets, query, body)


@pytest.fixture
def api_schema(fuzz_world: World) -> Iterator[Any]:
    """The API's OpenAPI, called in-process over WSGI. As Django's test client does, the
    requests keep the test's database connection (and its transaction) open."""
    from haochaping.api import api

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
    loaded.app = get_wsgi_application()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield loaded
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@schema.given(caller=st.sampled_from(CALLERS), aimed=st.booleans())
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case: Any, caller: str, aimed: bool,
                                       fuzz_world: World) -> None:
    if aimed:
        fuzz_world.aim(case)
    if caller != "key" and case.headers:
        # A generated API key would be tried before the session (accounts.auth).
        case.headers.pop("X-Api-Key", None)
    # Each request meets the same world: what it wrote is rolled back (on PostgreSQL this
    # also ends a transaction a failed statement aborted, so one 500 does not cascade).
    savepoint = transaction.savepoint()
    try:
        response = case.call(**fuzz_world.callers[caller])
    finally:
        transaction.savepoint_rollback(savepoint)
    case.validate_response(response, checks=[not_a_server_error,
                                             response_schema_conformance])
