"""Screening on a real database: the office's words, the submitter's and the subject's
recent items, and the verdict applied through submission_move (status, event, audit)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.complaints.filtering.services import filter_word_add, filter_word_set_active
from haochaping.complaints.models import FilterWord, Submission
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.rules.reasons import REASONS
from haochaping.complaints.rules.wordlists import DEFAULT_WORDS
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.complaints.services.moves import submission_move
from haochaping.complaints.services.screening import recent_items

pytestmark = pytest.mark.django_db

SEED = importlib.import_module("haochaping.complaints.migrations.0002_default_filter_words")
CLEAN = "我在市场监管局窗口办理营业执照变更，窗口要求提供三次同样的材料，希望说明原因并改进。"


@pytest.fixture
def default_words(db: None) -> None:
    """The lists migration 0002 seeds (a transactional test elsewhere may have flushed
    them; seeding is idempotent)."""
    SEED.seed(django_apps, None)


def receive(locality: SimpleNamespace, content: str, phone: str = "p1") -> Submission:
    return submission_receive(kind="complaint", channel="web", content=content,
                              subject=Subject(org=locality.market), phone_index=phone)


def test_migration_seeds_the_default_lists_and_reverses(db: None) -> None:
    FilterWord.objects.all().delete()
    SEED.seed(django_apps, None)
    SEED.seed(django_apps, None)  # idempotent
    assert FilterWord.objects.count() == len(DEFAULT_WORDS)
    row = FilterWord.objects.get(reason="litigation", word="判决不公")
    assert (row.category, row.strength, row.is_active) == ("out_of_scope", "hit", True)
    SEED.unseed(django_apps, None)
    assert not FilterWord.objects.exists()


def test_a_clear_refusal_tells_why_and_where(locality: SimpleNamespace,
                                             default_words: None) -> None:
    item = receive(locality, "区法院判决不公，要求你们督促法院改判，还我公道。")
    assert (item.status, item.reason) == ("refused", "litigation")
    event = item.events.get(action="refuse")
    assert REASONS["litigation"].where in event.public_note
    assert event.actor_label == "system:complaints.filter"
    assert AuditEvent.objects.filter(action="complaint.refuse", object_id=str(item.pk)).exists()
    assert item.screening["matched"] == ["判决不公"]


def test_a_cue_waits_in_triage_with_what_the_filter_found(locality: SimpleNamespace,
                                                          default_words: None) -> None:
    item = receive(locality, "我和开发商的合同纠纷已经起诉了，法院迟迟不开庭，请帮忙催一下。")
    item.refresh_from_db()
    assert (item.status, item.reason) == ("triage", "litigation")
    assert item.screening["decision"] == "triage"
    assert [e.action for e in item.events.all()] == ["receive"]


def test_a_repeat_is_merged_into_the_submitters_open_item(locality: SimpleNamespace,
                                                          default_words: None) -> None:
    first = receive(locality, CLEAN)
    again = receive(locality, CLEAN.replace("。", "，请尽快处理！"))
    assert (again.status, again.merged_into) == ("merged", first)
    assert first.ref in again.events.get(action="merge").public_note


def test_a_repeat_of_an_answered_item_goes_to_triage_as_pestering(
        locality: SimpleNamespace, default_words: None) -> None:
    first = receive(locality, CLEAN)
    now = first.received_at
    if first.status != Status.DISPATCHED:  # routed at intake when a department is known
        submission_move(first, Status.DISPATCHED, action="dispatch", now=now)
    submission_move(first, Status.ANSWERED, action="answer", now=now)
    again = receive(locality, CLEAN)
    again.refresh_from_db()
    assert (again.status, again.reason) == ("triage", "pestering")
    assert again.screening["duplicate_of"] == first.ref


def test_the_same_problem_from_someone_else_is_triaged_not_refused(
        locality: SimpleNamespace, default_words: None) -> None:
    first = receive(locality, CLEAN, phone="p1")
    other = receive(locality, CLEAN, phone="p2")
    other.refresh_from_db()
    assert (other.status, other.reason) == ("triage", "repeated")
    assert other.screening["duplicate_of"] == first.ref


def test_recent_items_know_open_answered_and_leave_out_refused(
        locality: SimpleNamespace, default_words: None) -> None:
    refused = receive(locality, "你们这帮傻逼，办个营业执照拖了一个月还没好。")
    assert refused.status == "refused"
    mine = receive(locality, CLEAN)
    probe = receive(locality, "公积金提取审核已经超过十个工作日还没有结果，请尽快处理。",
                    phone="p9")
    assert [(r.ref, r.same_submitter, r.is_open, r.answered)
            for r in recent_items(probe)] == [(mine.ref, False, True, False)]


def test_an_office_word_takes_effect_and_a_disabled_one_stops(
        personas: SimpleNamespace, default_words: None) -> None:
    office = actor_for_user(personas.supervisor)
    text = "窗口工作人员要求我去某某中介办理加急，收费五百元，请核实。"

    def file(phone: str) -> Submission:  # no subject: compared with the phone's items only
        return submission_receive(kind="complaint", channel="web", content=text,
                                  subject=Subject(), phone_index=phone)

    assert file("a").status == "accepted"
    row = filter_word_add(actor=office, reason="unlawful", word="某某中介", strength="hit")
    item = file("b")
    assert (item.status, item.reason) == ("refused", "unlawful")
    filter_word_set_active(actor=office, word_id=row.pk, active=False)
    assert file("c").status == "accepted"
