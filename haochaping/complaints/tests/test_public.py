"""The public filing page /tousu/ through the test client: the SMS code flow, every
field's refusal (Chinese message, stable code, nothing written), attachments, refusals
with the reason and where to go, the village-station QR."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile as Upload
from django.test import Client

from haochaping.complaints.models import Submission
from haochaping.complaints.services.attachments import MAX_BYTES, MAX_FILES
from haochaping.evaluations.models import PhoneChallenge
from haochaping.evaluations.qr import qr_png, qr_svg
from haochaping.notify.models import OutboxMessage
from haochaping.vault.models import Rater

from .public_helpers import (
    CLEAR,
    OTHER_PHONE,
    PDF,
    PHONE,
    form,
    last_code,
    png,
    verified_form,
    writes,
)

pytestmark = pytest.mark.django_db
BASE = "https://hcp.example.gov.cn"


@pytest.fixture(autouse=True)
def _fresh(settings: Any) -> None:
    settings.HCP_PUBLIC_BASE_URL = BASE
    cache.clear()


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def refused(response: Any, code: str, status: int = 422) -> str:
    html = response.content.decode()
    assert response.status_code == status, html[:500]
    assert f'data-code="{code}"' in html
    return html


def test_start_page_asks_for_the_phone(locality: SimpleNamespace, client: Client) -> None:
    html = client.get("/tousu/").content.decode()
    assert "验证手机号" in html
    assert 'name="phone"' in html


def test_code_is_sent_through_the_outbox_and_only_its_hash_kept(
        locality: SimpleNamespace, client: Client) -> None:
    response = client.post("/tousu/code", {"phone": PHONE})
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    message = OutboxMessage.objects.get(template="sms_code")
    code = message.params["code"]
    assert len(code) == 6
    assert code not in PhoneChallenge.objects.get().code_hash


def test_bad_phone_and_resend_too_soon(locality: SimpleNamespace, client: Client) -> None:
    refused(client.post("/tousu/code", {"phone": "12345"}), "phone.invalid")
    client.post("/tousu/code", {"phone": PHONE})
    refused(client.post("/tousu/code", {"phone": PHONE, "resend": "1"}),
            "phone.too_many_sends", 429)
    assert PhoneChallenge.objects.count() == 1


def test_wrong_code_shows_no_form(locality: SimpleNamespace, client: Client) -> None:
    client.post("/tousu/code", {"phone": PHONE})
    wrong = "000000" if last_code() != "000000" else "111111"
    html = refused(client.post("/tousu/verify", {"phone": PHONE, "code": wrong}),
                   "phone.code_invalid")
    assert 'name="proof"' not in html


def test_a_complaint_is_filed_and_the_receipt_shows_ref_and_limits(
        locality: SimpleNamespace, client: Client) -> None:
    proof = verified_form(client)
    response = client.post("/tousu/submit", form(proof, subject=f"org:{locality.market.code}",
                                                  urgency="urgent", reply_channel="phone"))
    html = response.content.decode()
    assert response.status_code == 200, html[:400]
    item = Submission.objects.get()
    assert (item.kind, item.channel, item.status) == ("complaint", "web", "dispatched")
    assert (item.org, item.urgency, item.reply_channel) == (locality.market, "urgent", "phone")
    assert item.ref in html
    assert "1 个工作日内" in html
    assert "5 个工作日内" in html
    assert "15 个工作日内" in html
    assert f"/tousu/track/{item.ref}" in html
    # The submitter is in the vault, masked; the item follows the verified phone.
    rater = Rater.objects.get(pk=item.submitter_id)
    assert rater.name_masked == "李*"
    assert "李四" not in rater.name_cipher
    assert item.phone_index == rater.phone_index
    assert response.cookies["hcp_track"]["path"] == "/tousu/track/"


@pytest.mark.parametrize(("field", "value", "code"), [
    ("kind", "", "complaint.invalid_kind"),
    ("kind", "bad_review", "complaint.invalid_kind"),
    ("kind", "comment", "complaint.invalid_kind"),
    ("content", "   ", "complaint.content_required"),
    ("content", "长" * 4001, "complaint.content_too_long"),
    ("name", "", "complaint.name_required"),
    ("name", "名" * 51, "complaint.name_too_long"),
    ("reply_channel", "remote", "complaint.invalid_reply_channel"),
    ("reply_channel", "", "complaint.invalid_reply_channel"),
    ("urgency", "asap", "complaint.invalid_urgency"),
    ("subject", "org:NOPE", "complaint.subject_unknown"),
    ("subject", "matter:99999", "complaint.subject_unknown"),
    ("subject_text", "长" * 201, "complaint.subject_too_long"),
    ("phone", OTHER_PHONE, "complaint.phone_not_verified"),
    ("phone", "", "complaint.phone_required"),
    ("proof", "forged", "phone.session_expired"),
])
def test_every_bad_field_is_refused_in_chinese_and_nothing_written(
        locality: SimpleNamespace, client: Client, field: str, value: str, code: str) -> None:
    proof = verified_form(client)
    before = writes()
    html = refused(client.post("/tousu/submit", form(proof, **{field: value})), code,
                   401 if code == "phone.session_expired" else 422)
    assert writes() == before
    assert any("\u4e00" <= ch <= "\u9fff" for ch in html.split('data-code="')[1][:200])
    if code != "phone.session_expired":  # the form comes back with what was typed
        assert 'name="proof"' in html
        assert CLEAR in html or field == "content"


def test_attachments_are_stored_under_safe_names(locality: SimpleNamespace,
                                                 client: Client) -> None:
    proof = verified_form(client)
    renamed = png("../../etc/证明 材料.pdf")  # PNG bytes: the extension follows the content
    response = client.post("/tousu/submit", {**form(proof), "attachments": [
        renamed, png("a.png")]})
    assert response.status_code == 200
    names = sorted(Submission.objects.get().attachments.values_list("name", flat=True))
    assert names == ["a.png", "证明_材料.png"]


@pytest.mark.parametrize(("files", "code"), [
    (lambda: [png(f"{i}.png") for i in range(MAX_FILES + 1)],
     "complaint.too_many_attachments"),
    (lambda: [png("big.png", size=MAX_BYTES)], "complaint.attachment_too_big"),
    (lambda: [Upload("x.jpg", b"MZ\x90\x00 not an image", "image/jpeg")],
     "complaint.attachment_type"),
    (lambda: [Upload("x.png", b"<html><script>1</script>", "image/png")],
     "complaint.attachment_type"),
    (lambda: [Upload("x.docx", _docx(), "application/octet-stream")],
     "complaint.attachment_type"),  # an Office file: fine for staff, not from the public
    (lambda: [Upload("empty.png", b"", "image/png")], "complaint.attachment_empty"),
])
def test_bad_attachments_are_refused_and_nothing_written(
        locality: SimpleNamespace, client: Client, files: Any, code: str) -> None:
    proof = verified_form(client)
    before = writes()
    refused(client.post("/tousu/submit", {**form(proof), "attachments": files()}), code)
    assert writes() == before


def test_a_pdf_is_accepted(locality: SimpleNamespace, client: Client) -> None:
    proof = verified_form(client)
    upload = Upload("scan.pdf", PDF, "application/pdf")
    assert client.post("/tousu/submit", {**form(proof), "attachments": [upload]}
                       ).status_code == 200
    assert Submission.objects.get().attachments.get().content_type == "application/pdf"


@pytest.mark.parametrize(("content", "reason", "where"), [
    ("你好？", "no_content", "请补充"),
])
def test_a_refused_item_is_kept_and_the_receipt_says_why_and_where(
        locality: SimpleNamespace, client: Client, content: str, reason: str,
        where: str) -> None:
    proof = verified_form(client)
    html = client.post("/tousu/submit", form(proof, content=content)).content.decode()
    item = Submission.objects.get()
    assert (item.status, item.reason) == ("refused", reason)
    assert f'data-reason="{reason}"' in html
    assert "不予受理" in html
    assert where in html
    assert item.ref in html


def test_the_same_item_again_is_merged_and_says_so(locality: SimpleNamespace,
                                                    client: Client) -> None:
    proof = verified_form(client)
    client.post("/tousu/submit", form(proof))
    html = client.post("/tousu/submit", form(proof)).content.decode()
    first, again = Submission.objects.order_by("pk")
    assert again.status == "merged"
    assert first.ref in html


def test_subject_search_offers_orgs_windows_and_matters(locality: SimpleNamespace,
                                                        client: Client) -> None:
    html = client.get("/tousu/subjects", {"subject_q": "市场监督"}).content.decode()
    assert f'value="org:{locality.market.code}"' in html
    assert f'value="window:{locality.window.code}"' in html
    html = client.get("/tousu/subjects", {"subject_q": "食品经营"}).content.decode()
    assert f'value="matter:{locality.matter.pk}"' in html
    assert 'name="subject"' not in client.get("/tousu/subjects", {"subject_q": "x"}
                                              ).content.decode()


def test_village_qr_prefills_the_station_and_its_region(locality: SimpleNamespace,
                                                         client: Client) -> None:
    hall = locality.hall
    assert client.get(f"/tousu/qr/{hall.code}.svg").content == qr_svg(
        f"{BASE}/tousu/z/{hall.code}")
    assert client.get(f"/tousu/qr/{hall.code}.png").content == qr_png(
        f"{BASE}/tousu/z/{hall.code}")
    poster = client.get(f"/tousu/qr/{hall.code}").content.decode()
    assert f"{BASE}/tousu/z/{hall.code}" in poster
    assert f'data-hall="{hall.code}"' in client.get(f"/tousu/z/{hall.code}").content.decode()
    proof = verified_form(client, hall=hall.code)
    client.post("/tousu/submit", form(proof, hall=hall.code, subject_text="村便民服务站"))
    item = Submission.objects.get()
    assert (item.channel, item.hall, item.region) == ("village_qr", hall, hall.region)
    assert item.content == CLEAR


def test_unknown_station(locality: SimpleNamespace, client: Client) -> None:
    refused(client.get("/tousu/z/NOPE"), "complaint.hall_not_found", 404)
    refused(client.get("/tousu/qr/NOPE.png"), "complaint.hall_not_found", 404)
