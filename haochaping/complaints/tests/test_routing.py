"""rules.routing (seed 004 §6: 属地管理优先、谁主管谁负责): pure, no database."""

from __future__ import annotations

from haochaping.complaints.rules.routing import Known, Unit, route

OFFICE = "/CITY/"
MARKET = Unit(1, "市场监管局", "handling", "/CITY/MARKET/", "/410100/")
TAX = Unit(2, "税务局", "handling", "/CITY/TAX/", "/410100/")
DIST_OFFICE = Unit(3, "区政务服务局", "supervising", "/CITY/DIST/", "/410100/410105/")
TOWN = Unit(4, "某镇便民服务中心", "handling", "/CITY/DIST/TOWN/", "/410100/410105/001/")
TOWN2 = Unit(5, "某镇社保所", "handling", "/CITY/DIST/TOWN2/", "/410100/410105/001/")
ELSEWHERE = Unit(6, "外市局", "handling", "/OTHER/X/", "/420100/")
CLOSED = Unit(7, "撤销的局", "handling", "/CITY/OLD/", "/410100/", active=False)


def test_the_window_matter_and_staff_org_agreeing_decide() -> None:
    got = route(Known(OFFICE, window_org=MARKET, matter_org=MARKET, staff_org=MARKET))
    assert (got.org_id, got.needs_office) == (1, False)
    assert "谁主管谁负责" in got.basis


def test_the_matter_alone_decides() -> None:
    assert route(Known(OFFICE, matter_org=TAX)).org_id == 2


def test_a_supervising_subject_org_is_no_department() -> None:
    got = route(Known(OFFICE, subject_org=DIST_OFFICE))
    assert got.needs_office
    assert "请人工交办" in got.basis


def test_departments_that_disagree_go_to_the_office() -> None:
    got = route(Known(OFFICE, window_org=MARKET, matter_org=TAX))
    assert got.needs_office
    assert "市场监管局" in got.basis
    assert "税务局" in got.basis


def test_nothing_known_goes_to_the_office() -> None:
    assert route(Known(OFFICE)).needs_office


def test_outside_the_office_or_inactive_is_not_routed() -> None:
    assert route(Known(OFFICE, matter_org=ELSEWHERE)).needs_office
    assert route(Known(OFFICE, matter_org=CLOSED)).needs_office


def test_a_village_item_goes_to_the_station_s_own_department_first() -> None:
    got = route(Known(OFFICE, village=True, hall_org=TOWN, matter_org=MARKET,
                      region_path="/410100/410105/001/"))
    assert got.org_id == 4
    assert "属地管理优先" in got.basis


def test_a_village_item_goes_to_the_one_department_under_the_station_s_office() -> None:
    got = route(Known(OFFICE, village=True, hall_org=DIST_OFFICE, local=[TOWN, MARKET],
                      region_path="/410100/410105/001/"))
    assert got.org_id == 4


def test_a_village_item_goes_to_the_nearest_region_s_department() -> None:
    got = route(Known(OFFICE, village=True, region_path="/410100/410105/001/002/",
                      local=[MARKET, TOWN]))
    assert got.org_id == 4  # the township's, not the city's


def test_two_departments_at_the_nearest_place_go_to_the_office() -> None:
    got = route(Known(OFFICE, village=True, region_path="/410100/410105/001/",
                      local=[TOWN, TOWN2, MARKET]))
    assert got.needs_office


def test_a_village_item_with_no_local_department_falls_back_to_the_subject() -> None:
    got = route(Known(OFFICE, village=True, region_path="/420100/", local=[MARKET],
                      matter_org=TAX))
    assert got.org_id == 2


def test_not_a_village_item_ignores_the_place() -> None:
    got = route(Known(OFFICE, village=False, hall_org=TOWN, matter_org=MARKET))
    assert got.org_id == 1
