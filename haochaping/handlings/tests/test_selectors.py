"""handling_detail: masked identity for everyone, scoped by org subtree or client."""

from __future__ import annotations

from dataclasses import asdict
from types import SimpleNamespace

import pytest

from haochaping.accounts.scoping import actor_for_client, actor_for_user
from haochaping.core.errors import NotFound
from haochaping.handlings.models import Handling
from haochaping.handlings.selectors import handling_detail
from haochaping.handlings.services import handling_intake
from haochaping.handlings.tests.support import national_item

pytestmark = pytest.mark.django_db
PLAIN = ("张晓明", "41010519900307123X", "13800138000")


@pytest.fixture
def handling(locality: SimpleNamespace, intake: SimpleNamespace) -> Handling:
    handling_intake(client=intake.client, items=[national_item(locality)])
    return Handling.objects.get()


@pytest.mark.parametrize("role", ["window_staff", "handler", "supervisor", "auditor", "admin"])
def test_every_user_sees_only_the_mask(handling: Handling, personas: SimpleNamespace,
                                       role: str) -> None:
    view = handling_detail(actor_for_user(getattr(personas, role)), handling_id=handling.pk)
    assert (view.rater.name, view.rater.phone) == ("张*", "138****8000")
    dump = repr(asdict(view))
    assert not any(secret in dump for secret in PLAIN)


def test_outside_the_subtree_is_not_found(handling: Handling,
                                          personas: SimpleNamespace) -> None:
    with pytest.raises(NotFound) as missing:
        handling_detail(actor_for_user(personas.outsider), handling_id=handling.pk)
    assert missing.value.code == "handling.not_found"


def test_client_sees_only_its_own(handling: Handling, intake: SimpleNamespace,
                                  locality: SimpleNamespace) -> None:
    from haochaping.accounts import services
    from haochaping.accounts.scoping import security_actor

    other, _ = services.api_client_create(actor=security_actor("test"), name="另一系统",
                                          org=locality.market, scopes=["handlings:write"])
    assert handling_detail(actor_for_client(intake.client), proj_no="P0001").id == handling.pk
    with pytest.raises(NotFound):
        handling_detail(actor_for_client(other), proj_no="P0001")
