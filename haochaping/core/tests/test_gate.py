"""Production closes the admin site and the API docs to the public (core.gate)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db
DOCS = ("/api/v1/docs", "/api/v1/openapi.json")


@override_settings(HCP_ENV="production")
def test_api_docs_need_a_signed_in_user_in_production(client: Client,
                                                      personas: SimpleNamespace) -> None:
    for url in DOCS:
        assert client.get(url).status_code == 404, url
    client.force_login(personas.handler)
    for url in DOCS:
        assert client.get(url).status_code == 200, url


@override_settings(HCP_ENV="production", HCP_ADMIN_NETWORKS=["10.8.0.0/16"])
def test_admin_and_docs_answer_only_from_the_configured_networks(
        client: Client, personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    assert client.get("/admin/", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/admin/login/", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/api/v1/docs", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/admin/", REMOTE_ADDR="10.8.3.4").status_code == 200
    assert client.get("/api/v1/docs", REMOTE_ADDR="10.8.3.4").status_code == 200


def test_the_demo_leaves_them_open(client: Client) -> None:
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/admin/login/").status_code == 200
