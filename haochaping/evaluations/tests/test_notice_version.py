"""The privacy-notice version stored with each rating (core.privacy, issue 17): every
insert names it, nobody changes it afterwards, and the rating pages link to the notice."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit

pytestmark = pytest.mark.django_db


def test_a_rating_stores_the_notice_in_force(world: SimpleNamespace, settings: object) -> None:
    [first] = evaluation_submit(handling=world.handling(), rating=RatingInput(5),
                                channel=Channel.WEB)
    settings.HCP_PRIVACY_NOTICE_VERSION = "2027.1"  # type: ignore[attr-defined]
    [second] = evaluation_submit(handling=world.handling(), rating=RatingInput(4),
                                 channel=Channel.APP)
    stored = dict(Evaluation.objects.values_list("pk", "notice_version"))
    assert stored == {first.pk: "1", second.pk: "2027.1"}


def test_a_remote_rating_stores_remote(world: SimpleNamespace) -> None:
    [row] = evaluation_submit(handling=world.handling(), rating=RatingInput(5),
                              channel=Channel.APP, from_remote=True,
                              now=timezone.now())
    assert Evaluation.objects.get(pk=row.pk).notice_version == "remote"


def test_an_insert_without_a_version_is_refused(world: SimpleNamespace) -> None:
    [row] = evaluation_submit(handling=world.handling(), rating=RatingInput(5),
                              channel=Channel.WEB)
    twin = Evaluation.objects.filter(pk=row.pk).values()[0]
    for name in ("id", "public_id"):
        twin.pop(name)
    twin.update(is_current=False, notice_version="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(**twin)
    assert Evaluation.objects.count() == 1


def test_the_version_cannot_be_changed(world: SimpleNamespace) -> None:
    [row] = evaluation_submit(handling=world.handling(), rating=RatingInput(5),
                              channel=Channel.WEB)
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE evaluations_evaluation SET notice_version = 'x' WHERE id = %s",
                       [row.pk])
    assert Evaluation.objects.get(pk=row.pk).notice_version == "1"


def test_the_notice_pages(world: SimpleNamespace, settings: object) -> None:
    client = Client()
    page = client.get("/yinsi/")
    assert page.status_code == 200
    assert "个人信息保护告知" in page.content.decode()
    assert "保存三年" in page.content.decode()
    assert client.get("/yinsi/1/").status_code == 200
    for missing in ("/yinsi/9/", "/yinsi/remote/", "/yinsi/..%2F/"):
        assert client.get(missing).status_code == 404
    settings.HCP_PRIVACY_NOTICE_VERSION = "9"  # type: ignore[attr-defined]
    older = client.get("/yinsi/1/").content.decode()
    assert "已被第 9 版取代" in older


def test_the_rating_pages_link_to_the_notice(world: SimpleNamespace) -> None:
    client = Client()
    for url in (f"/q/w/{world.loc.window.code}", "/pad/"):
        html = client.get(url, follow=True).content.decode()
        assert 'data-testid="privacy-notice"' in html, url
        assert 'href="/yinsi/"' in html, url


def test_start_up_refuses_a_version_without_its_text(settings: object) -> None:
    from haochaping.core.checks import privacy_notice

    assert privacy_notice(None) == []
    for bad in ("9", "remote", "a b"):
        settings.HCP_PRIVACY_NOTICE_VERSION = bad  # type: ignore[attr-defined]
        assert [e.id for e in privacy_notice(None)] == ["haochaping.E020"]
