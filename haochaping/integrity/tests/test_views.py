"""防刷评 screens over HTTP: the office's queue, a rating's signals and decision, the
registered phones and networks; and the permission rule: a department (handler, head,
window staff), the auditor and the administrator can neither see the queue, a signal or
the registrations nor change anything, and get no count on their home page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from haochaping.demo.integrity import Planted
from haochaping.integrity import selectors
from haochaping.integrity.models import Review, StaffPhone
from haochaping.integrity.rules import Signal
from haochaping.integrity.services import scan
from haochaping.integrity.tests.conftest import snapshot
from tests.factories import logged_in

pytestmark = pytest.mark.django_db


def test_office_reads_the_queue_and_decides(ig: SimpleNamespace, planted: Planted) -> None:
    scan(now=ig.now)
    office = logged_in(ig.people.supervisor)
    page = office.get("/work/integrity/")
    assert page.status_code == 200
    text = page.content.decode()
    for signal in Signal:
        assert signal.label in text
    only = office.get("/work/integrity/?signal=callback").content.decode()
    assert only.count("/work/integrity/ratings/") == len(planted[Signal.CALLBACK])
    pk = min(planted[Signal.SHARED_PHONE])
    detail = office.get(f"/work/integrity/ratings/{pk}/").content.decode()
    assert "同一手机号" in detail
    assert "138****2222" in detail
    assert "13803712222" not in detail
    bad = office.post(f"/work/integrity/ratings/{pk}/decide/",
                      {"decision": "confirmed", "deduction": "", "note": "核实"})
    assert bad.status_code == 422
    assert "扣分" in bad.content.decode()
    done = office.post(f"/work/integrity/ratings/{pk}/decide/",
                       {"decision": "confirmed", "deduction": "1.5", "note": "核实为代评",
                        "invalidate": "1"})
    assert done.status_code == 302
    assert Review.objects.get().invalidated
    [(label, count, url)] = selectors.queue_counts(ig.supervisor)
    assert (label, url) == ("待核查的疑似刷评", "/work/integrity/")
    assert count == selectors.pending_count(ig.supervisor) > 0


def test_office_registers_phones_and_networks(ig: SimpleNamespace) -> None:
    office = logged_in(ig.people.supervisor)
    assert office.get("/work/integrity/config/").status_code == 200
    staff = ig.staff[4]
    ok = office.post("/work/integrity/config/change/", {"what": "phone_add",
                                                       "staff_no": staff.staff_no,
                                                       "phone": "13903718888"})
    assert ok.status_code == 302
    page = office.get("/work/integrity/config/").content.decode()
    assert "139****8888" in page
    assert "13903718888" not in page
    wide = office.post("/work/integrity/config/change/", {"what": "network_add",
                                                         "place": f"w:{staff.window_id}",
                                                         "cidr": "10.0.0.0/8"})
    assert wide.status_code == 422
    assert "网段过大" in wide.content.decode()
    gone = office.post("/work/integrity/config/change/",
                       {"what": "phone_remove", "pk": StaffPhone.objects.get().pk})
    assert gone.status_code == 302
    assert not StaffPhone.objects.exists()


@pytest.mark.parametrize("who", ["handler", "head", "window_staff", "auditor", "admin",
                                 "outsider", "monitor"])
def test_a_department_never_sees_or_influences_its_signals(ig: SimpleNamespace,
                                                          planted: Planted, who: str) -> None:
    scan(now=ig.now)
    user = getattr(ig.people, who)
    actor = getattr(ig, who, None)
    client = logged_in(user)
    before = snapshot()
    pk = min(planted[Signal.QUICK_LINKED])
    for url in ("/work/integrity/", f"/work/integrity/ratings/{pk}/",
                "/work/integrity/config/"):
        page = client.get(url)
        assert page.status_code == 403, url
        assert "办结即评" not in page.content.decode()
    assert client.post(f"/work/integrity/ratings/{pk}/decide/",
                       {"decision": "cleared", "note": "本部门自查正常"}).status_code == 403
    assert client.post("/work/integrity/config/change/",
                       {"what": "phone_remove", "pk": 1}).status_code == 403
    assert snapshot() == before
    if actor is not None:
        assert selectors.queue_counts(actor) == []
        assert selectors.pending_count(actor) == 0


def test_another_office_sees_only_its_subtree(ig: SimpleNamespace, planted: Planted) -> None:
    scan(now=ig.now)
    district = logged_in(ig.people.district_supervisor)
    page = district.get("/work/integrity/").content.decode()
    market = {pk for pks in planted.values() for pk in pks}
    assert not any(f"/work/integrity/ratings/{pk}/" in page for pk in market
                   if pk not in _district_ids(ig))
    pk = min(planted[Signal.UNIFORM])
    assert district.get(f"/work/integrity/ratings/{pk}/").status_code in (403, 404)


def _district_ids(ig: SimpleNamespace) -> set[int]:
    from haochaping.evaluations.models import Evaluation

    return set(Evaluation.objects.filter(org__path__startswith=ig.loc.district_office.path)
               .values_list("pk", flat=True))
