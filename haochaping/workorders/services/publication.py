"""The public text of a typical case (典型案例), in two steps (docs/disclosure.md):

1. ``typical_preview``: the office opens 发布预览. The text (composed from the order's
   records, or the office's draft) goes through ``personal_rules.strip_personal`` with
   the names and phone the system knows (the rater's, decrypted here for this purpose
   and audited as ``rater.redact``; the staff member's) and comes back with what was
   replaced, for the screen to highlight. Nothing but that audit row is written.
2. ``confirmed_text`` (inside step ``mark_typical``): the office sends the text it
   confirmed, possibly edited. It is checked again against the same rule and refused
   when anything personal is left in it, so what is stored and published is exactly the
   confirmed text, never the raw reply.

The public page only reads the stored text; no personal data is decrypted on a public
request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.models import BadReason
from haochaping.core.errors import Conflict, ValidationError
from haochaping.evaluations.models import Evaluation
from haochaping.vault import VaultError, decrypt_field
from haochaping.workorders import rules, typical_rules
from haochaping.workorders.models import Rectification, Reply, WorkOrder
from haochaping.workorders.personal_rules import Finding, segments, strip_personal
from haochaping.workorders.rules import Action, Kind, State
from haochaping.workorders.services.engine import party_of, refusal_error

PURPOSE = "典型案例公示前去除评价人个人信息"


@dataclass(frozen=True)
class Known:
    """What the system knows of the people of one case, to strike from its public text."""

    rater_names: tuple[str, ...]
    rater_phones: tuple[str, ...]
    staff_names: tuple[str, ...]

    def strip(self, text: str) -> tuple[str, list[Finding]]:
        return strip_personal(text, rater_names=self.rater_names,
                              rater_phones=self.rater_phones, staff_names=self.staff_names)


@dataclass(frozen=True)
class Preview:
    """The stripped text, what was replaced in it and whether the office wrote it."""

    text: str
    findings: list[Finding]
    edited: bool

    @property
    def segments(self) -> list[tuple[str, Finding | None]]:
        return segments(self.text, self.findings)


def composed_text(order: WorkOrder, evaluation: Evaluation) -> str:
    """What the page publishes unless the office edits it (typical_rules.compose)."""
    reasons = dict(BadReason.objects.filter(
        version_id=evaluation.standard_version_id,
        code__in=evaluation.reason_codes).values_list("code", "text"))
    measures = [typical_rules.measure_line(r.measures, r.result)
                for r in Rectification.objects.filter(order=order).order_by("at", "pk")]
    latest = Reply.objects.filter(order=order).order_by("at", "pk").last()
    return typical_rules.compose([reasons[c] for c in evaluation.reason_codes if c in reasons],
                                 measures, latest.text if latest else "")


def _evaluation(order: WorkOrder) -> Evaluation:
    if order.kind != Kind.BAD_REVIEW or order.evaluation_id is None:
        raise ValidationError("workorder.typical_not_bad_review",
                              "只有差评工单可以作为典型案例公示")
    return Evaluation.objects.select_related("staff", "rater").get(pk=order.evaluation_id)


def known_data(actor: Actor, order: WorkOrder, evaluation: Evaluation) -> Known:
    """The staff member's name and the rater's name and phone, decrypted here and
    audited as ``rater.redact`` under the office's actor (the values never leave this
    module). A value that cannot be decrypted (missing key) refuses the publication: the
    text could not be shown to be free of it."""
    rater = evaluation.rater
    found: dict[str, list[str]] = {"name": [], "phone": []}
    for field, cipher in (("name", rater.name_cipher), ("phone", rater.phone_cipher)):
        if not cipher:
            continue
        try:
            found[field].append(decrypt_field(field, cipher))
        except VaultError:
            raise Conflict("workorder.redaction_unavailable",
                           "无法读取评价人信息进行去除，暂不能公示，请联系系统管理员") from None
    fields = [f for f, values in found.items() if values]
    if fields:
        audit_record(action="rater.redact", actor=actor.user, actor_label=actor.label,
                     obj=rater, after={"purpose": PURPOSE, "fields": fields,
                                       "work_order": order.pk})
    return Known(tuple(found["name"]), tuple(found["phone"]),
                 (evaluation.staff.name,) if evaluation.staff else ())


def typical_preview(*, actor: Actor, order: WorkOrder, draft: str = "") -> Preview:
    """发布预览: the text the office would publish, stripped, with what was replaced. Only
    the office that may mark the order typical may preview it (as the order now is)."""
    order = WorkOrder.objects.get(pk=order.pk)
    party = party_of(actor)
    require(actor, access.WORK_ORDER, access.WRITE, order.org_path)
    try:
        rules.next_state(State(order.status), Action.MARK_TYPICAL, party)
    except rules.TransitionRefused as exc:
        raise refusal_error(exc) from None
    draft = draft.strip()
    if len(draft) > typical_rules.PUBLIC_TEXT_LIMIT:
        raise ValidationError("workorder.text_too_long",
                              f"“公示文本”不能超过 {typical_rules.PUBLIC_TEXT_LIMIT} 字",
                              "public_text")
    evaluation = _evaluation(order)
    with transaction.atomic():
        known = known_data(actor, order, evaluation)
    text, findings = known.strip(draft or composed_text(order, evaluation))
    return Preview(text, findings, edited=bool(draft))


def confirmed_text(actor: Actor, order: WorkOrder, text: str) -> str:
    """The text the office confirmed after the preview, as it will be stored. Refused
    when missing (no preview confirmed) or when it still holds personal data (an edit
    after the preview put some in): nothing is published then."""
    evaluation = _evaluation(order)
    if not text:
        raise ValidationError("workorder.preview_required",
                              "请先打开“发布预览”，确认公示文本后再发布", "public_text")
    _, findings = known_data(actor, order, evaluation).strip(text)
    if findings:
        labels = "、".join(dict.fromkeys(f.label for f in findings))
        raise Conflict("workorder.public_text_personal",
                       f"公示文本中仍含个人信息（{labels}），请重新预览并确认", "public_text")
    return text
