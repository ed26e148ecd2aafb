"""The public text of a typical case (典型案例), composed and redacted when the office marks
the order (step ``mark_typical``). This is the only place the rater's name is decrypted for
publication: inside the office's authenticated step, audited with the office's own actor,
and never again when the public page is read (docs/disclosure.md)."""

from __future__ import annotations

from haochaping.accounts.scoping import Actor
from haochaping.audit.services import audit_record
from haochaping.catalog.models import BadReason
from haochaping.core.errors import Conflict
from haochaping.evaluations.models import Evaluation
from haochaping.vault import VaultError, decrypt_field
from haochaping.workorders import typical_rules
from haochaping.workorders.models import Rectification, Reply, WorkOrder

PURPOSE = "典型案例公示前去除评价人姓名"


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


def names_to_strike(actor: Actor, order: WorkOrder, evaluation: Evaluation) -> list[str]:
    """The staff member's name and the rater's, decrypted here and audited as
    ``rater.redact`` under the office's actor. A name that cannot be decrypted (missing
    key) refuses the publication: the text could not be shown to be free of it."""
    names = [evaluation.staff.name] if evaluation.staff else []
    rater = evaluation.rater
    if rater.name_cipher:
        try:
            names.append(decrypt_field("name", rater.name_cipher))
        except VaultError:
            raise Conflict("workorder.redaction_unavailable",
                           "无法读取评价人姓名进行去除，暂不能公示，请联系系统管理员") from None
        audit_record(action="rater.redact", actor=actor.user, actor_label=actor.label,
                     obj=rater, after={"purpose": PURPOSE, "fields": ["name"],
                                       "work_order": order.pk})
    return names


def public_text(actor: Actor, order: WorkOrder, edited: str = "") -> str:
    """The redacted text to store: the office's edited text when given, else the
    composed one; redacted either way."""
    evaluation = Evaluation.objects.select_related("staff", "rater").get(
        pk=order.evaluation_id or 0)
    text = edited or composed_text(order, evaluation)
    return typical_rules.redact(text, names_to_strike(actor, order, evaluation))
