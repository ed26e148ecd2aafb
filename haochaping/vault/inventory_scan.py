"""Which model fields look like personal data, and the ones that only look so.

``looks_personal`` flags a field by the words of its name; a flagged field is either in
the inventory (``vault.inventory``) or listed in :data:`NOT_PERSONAL` with the reason it
holds nobody's data. ``vault.tests.test_inventory`` walks every model with both. Pure.
"""

from __future__ import annotations

WORDS = frozenset({
    "name", "phone", "mobile", "contact", "address", "text", "content", "body", "note",
    "summary", "reply", "email", "ip", "agent", "cipher", "masked", "index", "payload",
    "params", "evidence", "findings", "measures", "result", "file", "photo", "reason",
    "reasons", "grounds", "fields", "before", "after", "label", "subject", "username",
    "report", "parts", "screening", "submitter", "rater", "applicant",
})

CATALOG = "reference data of the administration, no person"
CONFIG = "configuration written by administrators, no person"
CODES = "codes from a fixed table"

NOT_PERSONAL: dict[tuple[str, str], str] = {
    # 共性问题 and 绩效考核 (issue 15): about orgs, matters and staff in post, never a rater
    ("problems.ProblemTask", "subject_kind"): "matter or org",
    ("problems.ProblemTask", "subject_key"): "a matter's or org's key",
    ("problems.ProblemEvidence", "text"): "a department's account of its systemic fix",
    ("problems.ProblemEvidence", "file"): "a department's evidence file",
    ("problems.ProblemEvidence", "file_name"): "the evidence file's name",
    ("problems.ProblemEvidence", "file_type"): "a MIME type",
    ("problems.ProblemEvidence", "file_sha256"): "a digest",
    ("problems.ProblemEvidence", "check_note"): "the office's check of the fix",
    ("appraisal.ReviewSheet", "subject_kind"): "org or staff",
    ("appraisal.ReviewRun", "content"): "figures per org or staff member in post",
    ("appraisal.PublishedReview", "content"): "figures per org or staff member in post",
    ("appraisal.ImprovementPlan", "measures"): "an improvement plan's measures",
    ("appraisal.ImprovementPlan", "transfer_note"): "the office's note of a 调换",
    ("core.PeriodicJobState", "name"): "a job name",
    ("core.IdempotentRequest", "content_type"): "a MIME type",
    ("accounts.ApiClient", "name"): "a business system's name",
    ("catalog.Matter", "name"): CATALOG,
    ("catalog.Region", "name"): CATALOG,
    ("catalog.Org", "name"): CATALOG,
    ("catalog.Org", "short_name"): CATALOG,
    ("catalog.Hall", "name"): CATALOG,
    ("catalog.Hall", "address"): "a public service hall's address",
    ("catalog.Hall", "phone"): "a public service hall's switchboard",
    ("catalog.Window", "name"): CATALOG,
    ("catalog.PolicyOverride", "note"): CONFIG,
    ("catalog.CalendarOverride", "note"): CONFIG,
    ("catalog.StandardVersion", "name"): CATALOG,
    ("catalog.ContentItem", "text"): CATALOG,
    ("catalog.Indicator", "name"): CATALOG,
    ("catalog.BadReason", "text"): CATALOG,
    ("handlings.Handling", "content_hash"): "an HMAC under the blind-index key (intake "
                                            "idempotency), not reversible without the key",
    ("evaluations.Evaluation", "content_codes"): CODES,
    ("evaluations.Evaluation", "reason_codes"): CODES,
    ("evaluations.Evaluation", "invalid_reason"): "the office's appeal ruling, no rater data",
    ("evaluations.Device", "name"): "a pad's name",
    ("evaluations.Device", "agent"): "a pad's software version",
    ("notify.MessageTemplate", "name"): CONFIG,
    ("notify.MessageTemplate", "body"): CONFIG,
    ("workorders.WorkOrder", "contact_due_at"): "a deadline",
    ("workorders.WorkOrder", "appeal_file_due_at"): "a deadline",
    ("workorders.Reply", "visible_to_rater_at"): "a moment",
    ("complaints.Submission", "reply_channel"): CODES,
    ("complaints.SubmissionAttachment", "content_type"): "a MIME type",
    ("complaints.FilterWord", "reason"): CONFIG,
    ("complaints.FilterWord", "note"): CONFIG,
    ("stats.RollupState", "name"): "a job name",
    ("stats.RankingWeights", "name"): CONFIG,
    ("stats.RankingSnapshot", "content"): "published rankings of orgs, windows and staff "
                                          "numbers: public by design (disclosure)",
    ("supervision.CheckDraw", "params"): "the draw's rates, seed and strata: no person",
    ("supervision.CheckFinding", "evidence_sha256"): "a digest of the evidence file",
    ("assessment.SelfItem", "name"): CONFIG,
    ("assessment.SheetItem", "name"): CONFIG,
    ("assessment.Assessment", "summary"): "the office's published summary of a round: "
                                          "about windows and orgs, no person",
    ("assessment.SelfEntry", "return_reason"): "the office's reason to an org about its "
                                               "self-assessment: org work, no rater",
    ("assessment.Visit", "return_reason"): "the office's reason to an assessor: no rater",
    ("assessment.SelfAnswer", "evidence"): "an org's account of its own work: no rater",
    ("assessment.SelfAnswer", "attachment_name"): "a sanitised file name of an org's "
                                                  "evidence",
    ("assessment.SelfAnswer", "office_note"): "the office's note on an org's score",
    ("exchange.RejectedMessage", "remote_name"): CONFIG,
    ("exchange.RejectedMessage", "body_sha256"): "a digest of the refused body",
    ("exchange.RejectedMessage", "body_size"): "a size",
    ("exchange.ProfileDoc", "name"): CONFIG,
    ("exchange.ProfileDoc", "label"): CONFIG,
    ("exchange.ProfileDoc", "body"): CONFIG,
    ("exchange.Remote", "name"): CONFIG,
    ("exchange.Remote", "label"): CONFIG,
    ("integrity.NetworkRange", "note"): CONFIG,
}


def looks_personal(field_name: str) -> bool:
    """Whether a column's name suggests it may hold a person's data."""
    words = set(field_name.lower().split("_"))
    return bool(words & WORDS) or "id_no" in field_name.lower()
