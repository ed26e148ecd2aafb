"""Statistics name windows and staff so that two of them never look alike: a window's
number and name repeat from hall to hall, and staff names repeat across departments."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from haochaping.stats import labels
from tests import factories as f


@pytest.mark.django_db
def test_same_window_number_and_name_in_two_halls_read_apart(locality: SimpleNamespace) -> None:
    first = f.make_hall(locality.market, name="市民服务中心")
    second = f.make_hall(locality.market, name="高新区便民服务中心")
    a = f.make_window(first, locality.market, number="1")
    b = f.make_window(second, locality.market, number="1")
    assert str(a) == str(b)  # what a bare window name would show
    names = labels.names("window", [a.pk, b.pk, None])
    assert names == {a.pk: f"市民服务中心 {a}", b.pk: f"高新区便民服务中心 {b}"}


@pytest.mark.django_db
def test_namesakes_among_staff_read_apart(locality: SimpleNamespace) -> None:
    a = f.make_staff(locality.market, name="王芳")
    b = f.make_staff(locality.market, name="王芳")
    names = labels.names("staff", [a.pk, b.pk])
    assert names[a.pk] != names[b.pk]
    assert names[a.pk] == f"王芳（{a.staff_no}）"


@pytest.mark.django_db
def test_orgs_read_by_full_name(locality: SimpleNamespace) -> None:
    assert labels.names("org", [locality.market.pk]) == {locality.market.pk: locality.market.name}
