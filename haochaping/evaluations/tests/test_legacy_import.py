"""Legacy satisfaction ratings imported from files: matched by proj_no, marked with their
source, never counted twice for one handling, reported row by row (created, duplicate,
unknown, invalid with the sheet's row numbers and Chinese reasons)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.standards import Channel
from haochaping.catalog.selectors.standards import active_standard
from haochaping.cli import resolve
from haochaping.core.errors import AppError
from haochaping.core.localtime import SHANGHAI
from haochaping.evaluations.legacy.services import legacy_import_file
from haochaping.evaluations.models import Evaluation, LegacyImport, LegacyRating
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit, insert_default_rating
from haochaping.evaluations.tests import factories as ef
from haochaping.evaluations.tests.factories import snapshot
from haochaping.evaluations.tests.legacy_support import csv_bytes, xlsx_bytes
from haochaping.handlings.models import Handling
from haochaping.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

SOURCE = "原窗口满意度评价系统"


def stamp(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def run(world: SimpleNamespace, data: bytes, *, persona: str = "supervisor",
        dry_run: bool = False, source: str = SOURCE) -> Any:
    return legacy_import_file(actor=actor_for_user(getattr(world.people, persona)),
                              source=source, data=data, file_name="legacy.csv",
                              dry_run=dry_run)


@pytest.fixture
def sheet(world: SimpleNamespace) -> SimpleNamespace:
    """One file with a row of every outcome."""
    when = timezone.now() - timedelta(hours=2)
    fresh = world.handling(completed_at=when - timedelta(hours=1))
    ours = world.handling()
    evaluation_submit(handling=ours, rating=RatingInput(5), channel=Channel.APP)
    defaulted = world.handling()
    insert_default_rating(defaulted, version=active_standard(), level=3,
                          now=timezone.now() - timedelta(minutes=5))
    Handling.objects.filter(pk=defaulted.pk).update(rated_at=timezone.now()
                                                    - timedelta(minutes=5))
    withdrawn = world.handling(status="withdrawn")
    online = world.handling(offline=False)
    rows = [
        ["A-1", fresh.proj_no, "满意", stamp(when), "", "办事顺利"],  # row 2: created
        ["A-2", ours.proj_no, "1", stamp(when), "", ""],  # 3: duplicate, ours is kept
        ["A-3", defaulted.proj_no, "5", stamp(when), "4", ""],  # 4: replaces the default
        ["A-4", "NO-SUCH-NO", "4", stamp(when), "", ""],  # 5: unknown handling
        ["A-5", fresh.proj_no, "九", stamp(when), "", ""],  # 6: invalid level
        ["A-6", withdrawn.proj_no, "4", stamp(when), "", ""],  # 7: withdrawn
        ["A-7", fresh.proj_no, "3", stamp(when), "", ""],  # 8: the same handling again
        ["A-8", online.proj_no, "4", stamp(timezone.now() + timedelta(hours=1)), "", ""],
        ["", online.proj_no, "4", "2026-13-01", "短信", ""],  # 10: bad time
        ["A-10", online.proj_no, "非常满意", stamp(when), "短信", ""],  # 11: created
    ]
    return SimpleNamespace(fresh=fresh, ours=ours, defaulted=defaulted, online=online,
                           when=when, data=csv_bytes(rows))


def test_a_file_is_imported_and_reported_row_by_row(world: SimpleNamespace,
                                                    sheet: SimpleNamespace) -> None:
    result = run(world, sheet.data)
    counts = result.as_dict()
    assert (counts["rows"], counts["created"], counts["duplicate"], counts["unknown"],
            counts["invalid"]) == (10, 3, 2, 1, 4)
    report = {line["row"]: (line["outcome"], line["code"]) for line in result.report}
    assert report == {
        3: ("duplicate", "legacy.rated_here"), 5: ("unknown", "legacy.unknown_handling"),
        6: ("invalid", "legacy.level"), 7: ("invalid", "legacy.withdrawn"),
        8: ("duplicate", "legacy.rated_by_legacy"), 9: ("invalid", "legacy.future_time"),
        10: ("invalid", "legacy.time")}
    messages = {line["row"]: line["message"] for line in result.report}
    assert messages[3] == "该办件已在本系统评价，保留本系统评价，历史评价不计入"
    assert "NO-SUCH-NO" in messages[5]
    assert "评价等级" in messages[6]

    fresh = Evaluation.objects.get(handling=sheet.fresh)
    assert (fresh.level, fresh.channel, fresh.legacy_source, fresh.text, fresh.is_current) == (
        4, "evaluator", SOURCE, "办事顺利", True)
    assert fresh.created_at == sheet.when.replace(microsecond=0)
    sheet.fresh.refresh_from_db()
    assert sheet.fresh.rated_at == fresh.created_at
    ours = Evaluation.objects.get(handling=sheet.ours)
    assert (ours.legacy_source, ours.channel, ours.level) == ("", "app", 5)
    rows = Evaluation.objects.filter(handling=sheet.defaulted).order_by("pk")
    assert [(r.is_default, r.is_current, r.legacy_source, r.channel) for r in rows] == [
        (True, False, "", "default"), (False, True, SOURCE, "evaluator")]
    online = Evaluation.objects.get(handling=sheet.online)
    assert (online.channel, online.level) == ("sms", 5)
    # The privacy notice each rater was shown (core.privacy): ours the current one, the
    # default rating none, the imported ones the legacy system's.
    assert (ours.notice_version, fresh.notice_version) == ("1", "legacy")
    assert [r.notice_version for r in rows] == ["none", "legacy"]

    batch = LegacyImport.objects.get(pk=result.batch_id)
    assert (batch.source, batch.via, batch.rows, batch.created, batch.duplicate,
            batch.unknown, batch.invalid) == (SOURCE, "file", 10, 3, 2, 1, 4)
    assert batch.report == result.report
    assert LegacyRating.objects.filter(batch=batch).count() == 3
    audit = AuditEvent.objects.get(action="evaluations.legacy_import")
    assert audit.after["created"] == 3
    assert len(audit.after["sha256"]) == 64


def test_importing_the_file_again_counts_nothing_twice(world: SimpleNamespace,
                                                       sheet: SimpleNamespace) -> None:
    first = run(world, sheet.data)
    ratings = Evaluation.objects.count()
    second = run(world, sheet.data)
    assert second.counts["created"] == 0
    assert Evaluation.objects.count() == ratings
    codes = {line["row"]: line["code"] for line in second.report}
    assert codes[2] == codes[4] == codes[11] == "legacy.already_imported"
    assert f"第 {first.batch_id} 批" in next(line["message"] for line in second.report
                                            if line["row"] == 2)
    for handling in (sheet.fresh, sheet.defaulted, sheet.online):
        assert Evaluation.objects.filter(handling=handling, is_current=True).count() == 1


def test_a_rating_given_here_after_the_import_is_one_per_service(world: SimpleNamespace,
                                                                 sheet: SimpleNamespace) -> None:
    run(world, sheet.data)
    with pytest.raises(AppError) as exc:
        evaluation_submit(handling=sheet.fresh, rating=RatingInput(5), channel=Channel.APP)
    assert exc.value.code == "evaluation.already_rated"
    assert Evaluation.objects.filter(handling=sheet.fresh).count() == 1


def test_a_dry_run_decides_everything_and_writes_nothing(world: SimpleNamespace,
                                                        sheet: SimpleNamespace) -> None:
    before = (snapshot(), LegacyRating.objects.count(), AuditEvent.objects.count())
    result = run(world, sheet.data, dry_run=True)
    assert (result.dry_run, result.batch_id, result.counts["created"]) == (True, None, 3)
    assert (snapshot(), LegacyRating.objects.count(), AuditEvent.objects.count()) == before
    assert not LegacyImport.objects.exists()


def test_a_dry_run_reports_exactly_what_the_real_run_does(world: SimpleNamespace,
                                                          sheet: SimpleNamespace) -> None:
    dry = run(world, sheet.data, dry_run=True).as_dict()
    real = run(world, sheet.data).as_dict()
    for name in ("rows", "created", "duplicate", "unknown", "invalid", "report"):
        assert dry[name] == real[name]


def test_a_rating_the_file_repeats_counts_at_its_first_row(world: SimpleNamespace) -> None:
    a, b = world.handling(), world.handling()
    moment = stamp(timezone.now() - timedelta(hours=1))
    result = run(world, csv_bytes([["Z-9", b.proj_no, "5", moment, "", ""],
                                   ["Z-9", a.proj_no, "4", moment, "", ""]]))
    assert [(r["row"], r["code"]) for r in result.report] == [(3, "legacy.duplicate_in_file")]
    assert "第 2 行" in result.report[0]["message"]
    assert Evaluation.objects.get().handling_id == b.pk


def test_a_legacy_bad_rating_opens_its_work_order(world: SimpleNamespace,
                                                  django_capture_on_commit_callbacks: Any
                                                  ) -> None:
    handling = world.handling()
    data = csv_bytes([["B-1", handling.proj_no, "不满意", stamp(timezone.now()), "", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        assert run(world, data).counts["created"] == 1
    order = WorkOrder.objects.get(handling=handling)
    assert order.evaluation.legacy_source == SOURCE


def test_rows_outside_the_users_subtree_are_unknown(world: SimpleNamespace) -> None:
    handling = world.handling()  # the city market's
    data = csv_bytes([["C-1", handling.proj_no, "5", stamp(timezone.now()), "", ""]])
    result = run(world, data, persona="district_supervisor")
    assert [(r["outcome"], r["code"]) for r in result.report] == [
        ("unknown", "legacy.unknown_handling")]
    assert not Evaluation.objects.exists()


def test_a_proj_no_of_two_systems_needs_the_system(world: SimpleNamespace) -> None:
    other, _ = ef.make_client(world.loc.market, scopes=("handlings:write",), name="不动产系统")
    first = world.handling()
    world.handling(client=other, proj_no=first.proj_no)
    header = ["办件编号", "业务系统", "评价等级", "评价时间"]
    when = stamp(timezone.now())
    result = run(world, csv_bytes([[first.proj_no, "", "5", when],
                                   [first.proj_no, "审批系统", "5", when]], header))
    assert [(r["row"], r["code"]) for r in result.report] == [
        (2, "legacy.ambiguous_handling")]
    assert Evaluation.objects.get().handling_id == first.pk


def test_xlsx_with_date_cells_and_gb18030_csv(world: SimpleNamespace) -> None:
    a, b = world.handling(), world.handling()
    moment = (timezone.now() - timedelta(hours=1)).astimezone(SHANGHAI).replace(
        tzinfo=None, microsecond=0)
    assert run(world, xlsx_bytes([["X-1", a.proj_no, 5, moment, "窗口评价器", ""]])
               ).counts["created"] == 1
    assert Evaluation.objects.get(handling=a).created_at == moment.replace(tzinfo=SHANGHAI)
    data = csv_bytes([["G-1", b.proj_no, "基本满意", stamp(timezone.now()), "", "一般"]],
                     encoding="gb18030")
    assert run(world, data).counts["created"] == 1


@pytest.mark.parametrize(("data", "source", "code"), [
    (csv_bytes([["1", "P", "5"]], ["办件编号", "评价等级", "其他"]), SOURCE,
     "import.invalid_rows"),
    (b"", SOURCE, "import.empty"),
    (csv_bytes([["A", "P", "5", "2026-01-01 10:00:00", "", ""]]), "  ", "legacy.source"),
])
def test_whole_file_refusals_write_nothing(world: SimpleNamespace, data: bytes, source: str,
                                           code: str) -> None:
    before = snapshot()
    with pytest.raises(AppError) as exc:
        run(world, data, source=source)
    assert exc.value.code == code
    assert snapshot() == before
    assert not LegacyImport.objects.exists()


@pytest.mark.parametrize("persona", ["handler", "auditor", "window_staff"])
def test_only_the_office_imports(world: SimpleNamespace, sheet: SimpleNamespace,
                                 persona: str) -> None:
    before = snapshot()
    with pytest.raises(AppError) as exc:
        run(world, sheet.data, persona=persona)
    assert exc.value.code == "forbidden.role"
    assert snapshot() == before


def test_the_command(world: SimpleNamespace, sheet: SimpleNamespace, tmp_path: Path) -> None:
    assert resolve(["evaluations", "import-legacy", "f.csv", "--source", "x"]) == [
        "legacy_import", "f.csv", "--source", "x"]
    path = tmp_path / "legacy.csv"
    path.write_bytes(sheet.data)
    out = io.StringIO()
    call_command("legacy_import", str(path), "--source", SOURCE, "--dry-run", stdout=out)
    assert "试运行（未写入）: 10 行，新增 3，重复 2，办件不存在 1，无效 4" in out.getvalue()
    assert not LegacyImport.objects.exists()
    out = io.StringIO()
    call_command("legacy_import", str(path), "--source", SOURCE, "--user", "supervisor",
                 stdout=out)
    assert "第 5 行 NO-SUCH-NO: unknown" in out.getvalue()
    batch = LegacyImport.objects.get()
    assert (batch.via, batch.created, batch.actor_label) == ("command", 3, "supervisor")


# --- the screen ----------------------------------------------------------------------------


def test_the_screen_imports_and_shows_the_report(world: SimpleNamespace,
                                                 sheet: SimpleNamespace, client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.people.supervisor)
    assert "历史满意度评价导入" in client.get("/work/legacy/").content.decode()
    upload = SimpleUploadedFile("legacy.csv", sheet.data, content_type="text/csv")
    html = client.post("/work/legacy/", {"source": SOURCE, "file": upload}).content.decode()
    assert 'data-count="created">3<' in html
    assert "该办件已在本系统评价，保留本系统评价" in html
    batch = LegacyImport.objects.get()
    page = client.get(f"/work/legacy/{batch.pk}/").content.decode()
    assert "NO-SUCH-NO" in page
    assert 'data-outcome="unknown"' in page
    missing = client.post("/work/legacy/", {"source": SOURCE})
    assert missing.status_code == 422
    assert 'data-code="import.empty"' in missing.content.decode()
    client.force_login(world.people.district_supervisor)
    assert client.get(f"/work/legacy/{batch.pk}/").status_code == 404
    client.force_login(world.people.handler)
    assert client.get("/work/legacy/").status_code == 403
