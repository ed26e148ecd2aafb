"""The tracking page /tousu/track/: ref + phone + SMS code, nothing revealed otherwise;
the public timeline without names or internal notes; the published answer and its
rating."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from haochaping.workorders.models import Reply

from .public_helpers import ANSWER, OTHER_PHONE, PHONE, answered, file_item, last_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh() -> None:
    cache.clear()


def track(client: Client, ref: str, phone: str = PHONE, code: str | None = None) -> Any:
    client.post("/tousu/track/code", {"ref": ref, "phone": phone})
    return client.post("/tousu/track/verify",
                       {"ref": ref, "phone": phone, "code": code or last_code()})


def test_ref_phone_and_code_open_the_item(locality: SimpleNamespace, client: Client) -> None:
    item = file_item(locality)
    response = track(client, item.ref.lower())
    assert response.status_code == 302
    assert response["Location"] == f"/tousu/track/{item.ref}"
    html = client.get(response["Location"]).content.decode()
    assert item.ref in html
    assert "已受理" in html
    assert "已收到" in html
    assert 'data-status="dispatched"' in html  # routed to the department at intake
    assert "1 个工作日内" in html


def test_wrong_code_reveals_nothing(locality: SimpleNamespace, client: Client) -> None:
    item = file_item(locality)
    client.post("/tousu/track/code", {"ref": item.ref, "phone": PHONE})
    wrong = "000000" if last_code() != "000000" else "111111"
    response = client.post("/tousu/track/verify",
                           {"ref": item.ref, "phone": PHONE, "code": wrong})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'data-code="phone.code_invalid"' in html
    assert "hcp_track" not in response.cookies
    assert "已受理" not in html
    assert client.get(f"/tousu/track/{item.ref}").status_code == 302  # back to the start


def test_another_phone_cannot_see_the_item(locality: SimpleNamespace, client: Client) -> None:
    item = file_item(locality)
    response = track(client, item.ref, phone=OTHER_PHONE)
    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-code="complaint.not_found"' in html
    assert "hcp_track" not in response.cookies
    # Verified for another phone's item: this ref is still not found, same message.
    mine = file_item(locality, phone=OTHER_PHONE, content="窗口排队两个小时无人叫号，"
                     "希望增加窗口或者开通网上预约，减少群众等候时间。")
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert track(client, mine.ref, phone=OTHER_PHONE).status_code == 302
        other = client.get(f"/tousu/track/{item.ref}")
    assert other.status_code == 404
    assert item.content not in other.content.decode()


def test_unknown_ref_and_bad_ref(locality: SimpleNamespace, client: Client) -> None:
    response = track(client, "TS20990101000000")
    assert response.status_code == 404
    bad = client.post("/tousu/track/code", {"ref": "<script>", "phone": PHONE})
    assert bad.status_code == 422
    assert 'data-code="complaint.invalid_ref"' in bad.content.decode()


def test_refused_item_shows_the_reason_and_where_to_go(locality: SimpleNamespace,
                                                       client: Client) -> None:
    item = file_item(locality, content="你好？")
    assert item.status == "refused"
    html = client.get(track(client, item.ref)["Location"]).content.decode()
    assert 'data-reason="no_content"' in html
    assert "请补充" in html
    assert "不予受理" in html


def test_answer_shown_once_published_and_never_internal_notes_or_names(
        locality: SimpleNamespace, personas: SimpleNamespace, client: Client) -> None:
    item = answered(file_item(locality), personas.supervisor, locality, published=False)
    url = track(client, item.ref)["Location"]
    html = client.get(url).content.decode()
    assert ANSWER not in html
    assert 'id="rate"' not in html
    # The office's QA passes the reply: released to the submitter.
    Reply.objects.filter(order=item.order).update(visible_to_rater_at=timezone.now())
    html = client.get(url).content.decode()
    assert ANSWER in html
    assert 'id="rate"' in html
    assert locality.market.name in html  # the handling department, not its people
    for secret in ("王晓明", "内部", personas.supervisor.username, "system:"):
        assert secret not in html


def test_rating_resolved_closes_and_twice_is_refused(locality: SimpleNamespace,
                                                     personas: SimpleNamespace,
                                                     client: Client) -> None:
    item = answered(file_item(locality), personas.supervisor, locality)
    url = track(client, item.ref)["Location"]
    response = client.post(f"{url}/rate", {"resolved": "1", "level": "5", "comment": "满意"})
    assert response.status_code == 200
    assert "感谢您的评价" in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.resolved, item.answer_level) == ("closed", True, 5)
    again = client.post(f"{url}/rate", {"resolved": "0", "level": "1"})
    assert again.status_code == 409
    item.refresh_from_db()
    assert (item.status, item.answer_level) == ("closed", 5)


def test_not_resolved_goes_back_to_the_office(locality: SimpleNamespace,
                                              personas: SimpleNamespace,
                                              client: Client) -> None:
    item = answered(file_item(locality), personas.supervisor, locality)
    url = track(client, item.ref)["Location"]
    html = client.post(f"{url}/rate", {"resolved": "0", "level": "2",
                                       "comment": "材料清单仍未公示"}).content.decode()
    item.refresh_from_db()
    assert (item.status, item.resolved) == ("reopened", False)
    assert "复核" in html
    assert "材料清单仍未公示" not in html


def test_rating_needs_a_session_and_valid_values(locality: SimpleNamespace,
                                                 personas: SimpleNamespace,
                                                 client: Client) -> None:
    item = answered(file_item(locality), personas.supervisor, locality)
    anonymous = Client().post(f"/tousu/track/{item.ref}/rate", {"resolved": "1",
                                                                 "level": "5"})
    assert anonymous.status_code == 302
    url = track(client, item.ref)["Location"]
    for body, code in (({"level": "5"}, "complaint.resolved_required"),
                       ({"resolved": "1", "level": "9"}, "complaint.invalid_answer_level"),
                       ({"resolved": "1", "level": "3", "comment": "长" * 501},
                        "complaint.comment_too_long")):
        response = client.post(f"{url}/rate", body)
        assert response.status_code == 422
        assert f'data-code="{code}"' in response.content.decode()
    item.refresh_from_db()
    assert item.status == "answered"
    assert item.answer_rated_at is None


def test_the_submitter_sees_who_accessed_their_data(locality: SimpleNamespace,
                                                    personas: SimpleNamespace,
                                                    client: Client) -> None:
    """Issue 17 (谁查看了我的信息): the office's reveal is listed with its org, role and
    purpose, never the staff member's name."""
    from haochaping.accounts.scoping import actor_for_user
    from haochaping.complaints.selectors import submitter_reveal

    item = file_item(locality)
    submitter_reveal(actor_for_user(personas.supervisor), item.pk, "电话核实诉求")
    html = client.get(track(client, item.ref)["Location"]).content.decode()
    assert 'data-testid="who-accessed"' in html
    assert html.count('data-testid="access-row"') == 1
    assert f"电话核实诉求（{item.ref}）" in html
    assert "政务服务管理机构" in html
    assert personas.supervisor.username not in html
