"""The demo shows that staff cannot rate their own org's handlings (issue 17): the printed
rating link, opened by the signed-in city office, is refused and audited."""

from __future__ import annotations

import re
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from haochaping.audit.models import AuditEvent


def test_the_printed_link_refuses_the_city_office(built: str, client: Client) -> None:
    out = StringIO()
    call_command("demo_info", port=8123, stdout=out)
    text = out.getvalue()
    assert "工作人员不能为本单位办件评价" in text
    link = re.search(r"http://127\.0\.0\.1:8123(/r/\S+)", text)
    assert link is not None
    client.force_login(get_user_model().objects.get(username="supervisor"))
    response = client.get(link.group(1))
    assert response.status_code == 403
    assert "工作人员不能为本单位办件评价" in response.content.decode()
    assert AuditEvent.objects.filter(action="evaluation.staff_own_org_refused").count() == 1
    assert Client().get(link.group(1)).status_code == 200  # a rater's browser still rates
