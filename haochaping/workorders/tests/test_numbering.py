"""The one readable order number (workorders.numbering): its format, stable and unique,
and used on the pages, the notifications, the SMS, the API and the export."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from haochaping.notify.models import InboxItem, OutboxMessage
from haochaping.notify.sealing import open_params
from haochaping.workorders.models import Notification, WorkOrder
from haochaping.workorders.numbering import number_key, order_number
from haochaping.workorders.rules import Kind


def test_the_format_names_the_kind_the_local_day_and_the_row() -> None:
    at = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)  # 01:30 on the 7th in Shanghai
    assert order_number("bad_review", at, 12) == "差评-20261207-000012"
    assert order_number("complaint", at, 1234567) == "投诉-20261207-1234567"
    assert number_key("差评-20261207-000012") == 12
    assert number_key(" 投诉-20261207-1234567 ") == 1234567
    for wrong in ("", "000012", "差评-2026127-000012", "好评-20261207-000012", "差评-20261207-12"):
        assert number_key(wrong) is None


QUICK = hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(st.sampled_from(list(Kind)), st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)),
    st.integers(min_value=1, max_value=10**12))
def test_a_number_reads_back_its_row(kind: Kind, at: datetime, pk: int) -> None:
    number = order_number(kind.value, at, pk)
    assert number_key(number) == pk
    assert order_number(kind.value, at, pk) == number  # stable


@QUICK
@given(st.lists(st.integers(min_value=1, max_value=10**9), unique=True, max_size=50))
def test_distinct_rows_get_distinct_numbers(pks: list[int]) -> None:
    at = datetime(2026, 12, 7, tzinfo=UTC)
    assert len({order_number("bad_review", at, pk) for pk in pks}) == len(pks)


def test_the_number_is_used_everywhere(w: SimpleNamespace, settings: Any,
                                       client: Client) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"
    w.people.handler.phone = "13900001111"
    w.people.handler.save(update_fields=["phone"])
    w.rate()
    order = WorkOrder.objects.get()
    number = order.number
    assert number == f"差评-20260929-{order.pk:06d}"
    assert str(order) == f"差评工单 {number}"
    assert number in Notification.objects.get(order=order, kind="new").text
    assert number in InboxItem.objects.get(user=w.people.handler).text
    WorkOrder.objects.filter(pk=order.pk).update(urgent=True)
    from haochaping.workorders.services.notices import notify_new

    notify_new(order.pk, order.created_at.replace(microsecond=1))
    sms = OutboxMessage.objects.filter(template="workorder_urgent").get()
    assert open_params(sms.params_cipher)["ticket"] == number
    client.force_login(w.people.handler)
    page = client.get(f"/work/orders/{order.pk}/").content.decode()
    assert f'data-testid="order-number">{number}<' in page
    assert str(order.public_id)[:8] not in page  # no more hex codes
    assert number in client.get("/work/orders/").content.decode()
    assert number in client.get("/").content.decode()
