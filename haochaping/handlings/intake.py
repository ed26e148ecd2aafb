"""Reference look-ups for intake: everything an intake call needs, fetched by key in a
handful of queries (never one query per item)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from haochaping.accounts.scoping import Actor
from haochaping.catalog.models import Hall, Matter, Org, Staff, Window
from haochaping.catalog.rules.policies import Policy
from haochaping.catalog.selectors.policy import calendar_overrides, effective_policy
from haochaping.handlings.rules import DeadlineCalculator, HandlingInput, ItemError, StageInput
from haochaping.handlings.rules import override_years as years_for


@dataclass(frozen=True)
class Refs:
    matter_id: int
    org: Org
    hall_id: int | None
    window_id: int | None
    staff_id: int | None


@dataclass(frozen=True)
class StageRefs:
    """A reported stage with its window (and that window's hall) and staff resolved."""

    stage: StageInput
    hall_id: int | None
    window_id: int | None
    staff_id: int | None


@dataclass
class Catalog:
    """Matters, orgs, halls, windows and staff named by the items of one call."""

    matters: dict[tuple[str, str], Matter] = field(default_factory=dict)
    orgs: dict[str, Org] = field(default_factory=dict)
    halls: dict[str, Hall] = field(default_factory=dict)
    windows: dict[str, Window] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    policies: dict[int, Policy] = field(default_factory=dict)
    # Items of one bulk mostly share their references: resolved once per distinct
    # (codes, actor) and reused (errors are not memoised: they name the item's own keys).
    _refs: dict[tuple[str, ...], Refs] = field(default_factory=dict)

    @classmethod
    def load(cls, items: list[HandlingInput],
             stages: tuple[StageInput, ...] = ()) -> Catalog:
        """Everything ``items`` (and their stages, and ``stages`` reported apart) name."""
        cat = cls()
        stages = (*stages, *(s for i in items for s in i.stages))
        codes = {i.matter_code for i in items}
        if codes:
            cat.matters = {(m.impl_code, m.version): m for m in Matter.objects.filter(
                impl_code__in=codes).only("id", "impl_code", "version", "is_active")}
            cat.orgs = {o.code: o for o in Org.objects.filter(
                code__in={i.org_code for i in items}).only("id", "code", "path", "is_active")}
        halls = {i.hall_code for i in items if i.hall_code}
        if halls:
            cat.halls = {h.code: h for h in Hall.objects.filter(code__in=halls).only("id",
                                                                                    "code")}
        windows = {i.window_code for i in items if i.window_code} | {
            s.window_code for s in stages if s.window_code}
        if windows:
            cat.windows = {w.code: w for w in Window.objects.filter(code__in=windows).only(
                "id", "code", "hall_id", "org_id")}
        staff = {i.staff_no for i in items if i.staff_no} | {
            s.staff_no for s in stages if s.staff_no}
        if staff:
            cat.staff = {s.staff_no: s for s in Staff.objects.filter(staff_no__in=staff).only(
                "id", "staff_no", "org_id")}
        return cat

    def resolve(self, item: HandlingInput, actor: Actor) -> tuple[Refs | None, list[ItemError]]:
        key = (item.matter_code, item.matter_version, item.org_code, item.hall_code,
               item.window_code, item.staff_no)
        refs = self._refs.get(key)
        if refs is not None:
            return refs, []
        refs, errors = self._resolve(item, actor)
        if refs is not None:
            self._refs[key] = refs
        return refs, errors

    def _resolve(self, item: HandlingInput,
                 actor: Actor) -> tuple[Refs | None, list[ItemError]]:
        n = item.names
        errors: list[ItemError] = []
        matter = self.matters.get((item.matter_code, item.matter_version))
        if matter is None or not matter.is_active:
            errors.append(ItemError(n["matter_code"], "handling.unknown_matter",
                                    f"事项“{item.matter_code}”（版本 {item.matter_version}）"
                                    f"不存在或已停用"))
        org = self.orgs.get(item.org_code)
        if org is None or not org.is_active:
            errors.append(ItemError(n["org_code"], "handling.unknown_org",
                                    f"办理部门“{item.org_code}”不存在或已停用"))
        elif not actor.covers(org.path):
            errors.append(ItemError(n["org_code"], "handling.org_out_of_scope",
                                    f"办理部门“{item.org_code}”不在本接口客户端的管辖范围内"))
        hall_id, window_id = self._place(item, errors)
        staff_id = self._staff(item, org, errors)
        if errors or matter is None or org is None:
            return None, errors
        return Refs(matter_id=matter.pk, org=org, hall_id=hall_id, window_id=window_id,
                    staff_id=staff_id), []

    def _place(self, item: HandlingInput, errors: list[ItemError]) -> tuple[int | None,
                                                                             int | None]:
        """(hall id, window id); a window without a hall code implies its hall."""
        n, hall_id = item.names, None
        if item.hall_code:
            hall = self.halls.get(item.hall_code)
            if hall is None:
                errors.append(ItemError(n["hall_code"], "handling.unknown_hall",
                                        f"大厅“{item.hall_code}”不存在"))
            else:
                hall_id = hall.pk
        if not item.window_code:
            return hall_id, None
        window = self.windows.get(item.window_code)
        if window is None:
            errors.append(ItemError(n["window_code"], "handling.unknown_window",
                                    f"窗口“{item.window_code}”不存在"))
            return hall_id, None
        if hall_id is not None and window.hall_id != hall_id:
            errors.append(ItemError(n["window_code"], "handling.window_not_in_hall",
                                    f"窗口“{item.window_code}”不属于大厅“{item.hall_code}”"))
            return hall_id, None
        return window.hall_id, window.pk

    def _staff(self, item: HandlingInput, org: Org | None,
               errors: list[ItemError]) -> int | None:
        if not item.staff_no:
            return None
        staff = self.staff.get(item.staff_no)
        if staff is None:
            errors.append(ItemError(item.names["staff_no"], "handling.unknown_staff",
                                    f"经办人“{item.staff_no}”不存在"))
            return None
        if org is not None and staff.org_id != org.pk:
            errors.append(ItemError(item.names["staff_no"], "handling.staff_not_of_org",
                                    f"经办人“{item.staff_no}”不属于办理部门“{item.org_code}”"))
            return None
        return staff.pk

    def resolve_stages(self, stages: tuple[StageInput, ...]
                       ) -> tuple[list[StageRefs], list[ItemError]]:
        """Each stage's window (implying its hall) and staff. A stage may be served
        outside the handling's department (a hall's 综合窗口 takes applications for many),
        so its staff need only exist."""
        found: list[StageRefs] = []
        errors: list[ItemError] = []
        for stage in stages:
            window = self.windows.get(stage.window_code) if stage.window_code else None
            if stage.window_code and window is None:
                errors.append(ItemError(stage.names["window_code"], "handling.unknown_window",
                                        f"窗口“{stage.window_code}”不存在"))
            staff = self.staff.get(stage.staff_no) if stage.staff_no else None
            if stage.staff_no and staff is None:
                errors.append(ItemError(stage.names["staff_no"], "handling.unknown_staff",
                                        f"经办人“{stage.staff_no}”不存在"))
            found.append(StageRefs(stage, window.hall_id if window else None,
                                   window.pk if window else None,
                                   staff.pk if staff else None))
        return (found, []) if not errors else ([], errors)

    def policy(self, org: Org) -> Policy:
        """The org's effective policy, resolved once per org per call."""
        cached = self.policies.get(org.pk)
        if cached is None:
            cached = self.policies[org.pk] = effective_policy(org)
        return cached


def deadline_calculator(completed: list[datetime]) -> DeadlineCalculator:
    """A calculator with the office's calendar overrides for every year needed (one
    query)."""
    years = years_for(completed)
    overrides: dict[date, bool] = calendar_overrides(years) if years else {}
    return DeadlineCalculator(overrides)
