"""Every shipped SMS template renders as one message (70 characters) with realistic
parameters (issue 16), except the two that carry a link: the link alone is 60 to 90
characters (an invitation's signed token is 56), so they fit two messages, not three."""

from __future__ import annotations

import pytest

from haochaping.notify.models import MessageTemplate
from haochaping.notify.rules import SMS_SINGLE_LIMIT, TEMPLATE_PARAMS, render, sms_parts

pytestmark = pytest.mark.django_db

BASE = "https://hcp.xinxiang.gov.cn"  # a realistic public address
TOKEN = "Zq3vX0b9kLmN2pQrStUvWx.1796000000.AbCdEfGhIjKlMnOpQrStUv"  # 22 + 10 + 22
REALISTIC = {
    "org": "新乡市红旗区市场监督管理局",
    "matter": "个体工商户设立登记",
    "link": f"{BASE}/r/{TOKEN}",
    "code": "482913",
    "minutes": "5",
    "summary": "已对窗口人员进行批评教育，并在办事指南中补充材料样本，一次性告知所需材料",
    "ticket": "WO20261207-0042",
    "deadline": "12月9日 17:30",
}
REPLY_LINK = f"{BASE}/workorders/reply/0b6f1c2e-8d4a-4f6b-9a51-3c2d7e9f1a20"
# template → why it cannot be one message, and how many it takes at most
WITH_A_LINK = {"evaluation_invite": 2, "rectification_reply": 2}


def rendered(template: MessageTemplate) -> str:
    params = dict(REALISTIC)
    if template.code == "rectification_reply":
        params["link"] = REPLY_LINK
    return render(template.body, params)


def test_every_shipped_template_is_known_and_has_realistic_parameters() -> None:
    shipped = set(MessageTemplate.objects.values_list("code", flat=True))
    assert set(TEMPLATE_PARAMS) <= shipped
    for code in shipped:
        assert TEMPLATE_PARAMS.get(code, frozenset()) <= REALISTIC.keys(), code


def test_templates_fit_one_sms_where_they_can() -> None:
    for template in MessageTemplate.objects.filter(channel="sms"):
        text = rendered(template)
        if template.code in WITH_A_LINK:
            assert sms_parts(text) <= WITH_A_LINK[template.code], (template.code, len(text))
        else:
            assert len(text) <= SMS_SINGLE_LIMIT, (template.code, len(text), text)


def test_the_invitation_still_says_what_to_rate_and_how_to_reply() -> None:
    text = rendered(MessageTemplate.objects.get(code="evaluation_invite"))
    assert REALISTIC["matter"] in text
    assert REALISTIC["link"] in text
    assert "回复1-5" in text
