"""Writes to the rater vault and the audited reveal (docs/privacy.md).

Identity enters only through :func:`raters_upsert` / :func:`rater_upsert` (encrypted,
blind-indexed, masked) and leaves only through :func:`rater_reveal` (role-limited, scoped,
audited without the values) and :func:`rater_phone_for_delivery` (notify backend only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, scope_q
from haochaping.audit.services import audit_record
from haochaping.core import bulk
from haochaping.core.errors import AppError, FieldProblem, PermissionDenied, ValidationError
from haochaping.core.logs import security_event
from haochaping.vault import crypto, identity
from haochaping.vault.access import access_record, alerts_check
from haochaping.vault.applicant import Applicant, check_applicant
from haochaping.vault.keys import field_ring, index_key
from haochaping.vault.models import Rater

# Who may see a rater's identity unmasked is accounts.rules' IDENTITY_REVEAL (the
# supervising office and the handling department's handler), each only inside its org
# subtree and stating a purpose (docs/privacy.md). A purpose may narrow this further (the
# phone invitation is the supervising office's only: evaluations.phone_invitation).
IDENTITY_FIELDS = ("name", "id_no", "phone")
MIN_PURPOSE = 2
MAX_PURPOSE = 200
SEALED_COLUMNS = ["name_cipher", "id_no_cipher", "phone_cipher", "name_masked",
                  "id_no_masked", "phone_masked", "id_no_index", "phone_index", "key_id",
                  "updated_at"]
INSERT_COLUMNS = ["kind", "id_type", "identity_index", *SEALED_COLUMNS, "created_at"]


@dataclass(frozen=True)
class RaterIdentity:
    kind: str
    name: str
    id_type: str
    id_no: str
    phone: str


def identity_index_of(app: Applicant) -> str:
    return identity.blind_index(
        "identity", identity.identity_source(app.kind, app.id_type, app.id_no, app.phone),
        index_key())


def phone_index_of(phone: str) -> str:
    return identity.blind_index("phone", phone, index_key()) if phone else ""


def _sealed(app: Applicant, ring: crypto.KeyRing, key: bytes) -> tuple[str, ...]:
    """Every sealed column (SEALED_COLUMNS order, ``updated_at`` excepted) of ``app``
    with the current key."""
    return (crypto.encrypt_field("name", app.name, ring),
            crypto.encrypt_field("id_no", app.id_no, ring),
            crypto.encrypt_field("phone", app.phone, ring),
            identity.mask_name(app.name, app.kind), identity.mask_id_no(app.id_no),
            identity.mask_phone(app.phone),
            identity.blind_index("id_no", app.id_no, key) if app.id_no else "",
            identity.blind_index("phone", app.phone, key) if app.phone else "",
            ring.current)


def _stored(indexes: list[str]) -> list[tuple[int, str, str]]:
    return bulk.select_by_key(Rater._meta.db_table, ["id", "identity_index", "phone_index"],
                              "identity_index", indexes)


def raters_upsert(wanted: Mapping[str, Applicant]) -> dict[str, int]:
    """Find or create the raters of ``wanted`` (applicants by identity index, see
    :func:`identity_index_of`) in a few queries, from plain rows (no model instances);
    returns rater ids by identity index. An existing rater whose phone changed is
    re-sealed from the new report (all columns, with the current key). A rater inserted
    meanwhile by a concurrent intake is found, not duplicated (the identity index is
    unique; the insert skips conflicts). Call inside the caller's transaction."""
    if not wanted:
        return {}
    ring, key, now = field_ring(), index_key(), timezone.now()
    ids: dict[str, int] = {}
    changed: list[tuple[object, ...]] = []

    def found(rows: list[tuple[int, str, str]]) -> None:
        for pk, index, phone_index in rows:
            ids[index] = pk
            app = wanted[index]
            if app.phone and phone_index_of(app.phone) != phone_index:
                changed.append((*_sealed(app, ring, key), now, pk))

    found(_stored(list(wanted)))
    missing = [index for index in wanted if index not in ids]
    if missing:
        rows = [(wanted[i].kind, wanted[i].id_type, i, *_sealed(wanted[i], ring, key), now,
                 now) for i in missing]
        ids.update((index, pk) for index, pk in bulk.insert_new_returning(
            Rater._meta.db_table, INSERT_COLUMNS, rows, unique="identity_index",
            returning=["identity_index", "id"]))
        lost = [index for index in missing if index not in ids]
        if lost:  # committed by a concurrent intake between our look-up and insert
            found(_stored(lost))
    bulk.update_rows(Rater._meta.db_table, "id", SEALED_COLUMNS, changed)
    return ids


def rater_upsert(*, kind: str, name: str, id_type: str, id_no: str, phone: str) -> Rater:
    """One rater, deduplicated on its identity index (ID number, else phone)."""
    names = {n: n for n in ("applicant_kind", "applicant_name", "applicant_id_no",
                            "applicant_phone")}
    app, errors = check_applicant(kind, name, id_type, id_no, phone, names)
    if app is None:
        first = errors[0]
        raise ValidationError(first.code, first.message, first.field,
                              problems=[FieldProblem(e.code, e.message, e.field)
                                        for e in errors])
    with transaction.atomic():
        ids = raters_upsert({identity_index_of(app): app})
    return Rater.objects.get(pk=ids[identity_index_of(app)])


def _identity(rater: Rater, fields: tuple[str, ...]) -> RaterIdentity:
    """``fields`` decrypted; the others stay empty and are never decrypted."""
    ring = field_ring()
    ciphers = {"name": rater.name_cipher, "id_no": rater.id_no_cipher,
               "phone": rater.phone_cipher}
    plain = {f: crypto.decrypt_field(f, ciphers[f], ring) if f in fields else ""
             for f in IDENTITY_FIELDS}
    return RaterIdentity(kind=rater.kind, id_type=rater.id_type, **plain)


def rater_reveal(*, actor: Actor, rater: Rater, purpose: str,
                 fields: tuple[str, ...] = IDENTITY_FIELDS,
                 found_in_scope: bool = False, subject: str = "",
                 now: datetime | None = None) -> RaterIdentity:
    """The unmasked identity, for a supervisor or handler whose subtree holds one of the
    rater's handlings, with a stated purpose; audited as ``rater.reveal`` (the purpose and
    which fields, never the values). ``fields`` limits what is decrypted to what the
    purpose needs (the phone alone to place a call); the rest comes back empty.

    Once per ``subject`` (what the reveal is for: ``workorder:<pk>``…; empty: the rater
    itself) and person: the reveal is recorded in ``IdentityAccess``, which the rater
    can read, and a second one is refused (``rater.reveal_once``). Unusual patterns raise
    an alert to the office (``vault.access``)."""
    fields = tuple(f for f in IDENTITY_FIELDS if f in fields)
    if not fields:
        raise ValueError("rater_reveal needs at least one of " + ", ".join(IDENTITY_FIELDS))
    if actor.is_client or not actor.allows(access.IDENTITY_REVEAL, access.READ):
        raise PermissionDenied("rater.reveal_forbidden", "当前角色无权查看评价人身份信息")
    purpose = " ".join(purpose.split())
    if not MIN_PURPOSE <= len(purpose) <= MAX_PURPOSE:
        raise ValidationError("rater.reveal_purpose_required",
                              f"查看评价人身份须说明用途（{MIN_PURPOSE} 至 {MAX_PURPOSE} 字）",
                              "purpose")
    # Through the handlings' foreign key to the rater (handlings sit above the vault).
    if not found_in_scope and not rater.handlings.filter(  # type: ignore[attr-defined]
            scope_q(actor)).exists():
        raise PermissionDenied("forbidden.scope", "该评价人不在本机构管辖范围内")
    if rater.purged_at is not None:  # vault.purge: nothing left to reveal
        raise AppError("rater.purged", "该评价人信息已按保存期限清除", status=410)
    now = now or timezone.now()
    with transaction.atomic():
        access_record(actor=actor, rater=rater, kind="reveal",
                      subject=subject or f"rater:{rater.pk}", purpose=purpose,
                      fields=list(fields), now=now)
        revealed = _identity(rater, fields)
        audit_record(action="rater.reveal", actor=actor.user, actor_label=actor.label,
                     obj=rater, after={"purpose": purpose, "fields": list(fields),
                                       "subject": subject or f"rater:{rater.pk}"})
        alerts_check(actor=actor, now=now)
    security_event("identity.reveal", user_id=getattr(actor.user, "pk", None),
                   role=str(actor.role or ""), rater_id=rater.pk, fields=list(fields))
    return revealed


def rater_relay_record(*, actor: Actor, rater: Rater, subject: str, purpose: str,
                       now: datetime | None = None) -> None:
    """Record a privacy-number binding to the rater (the caller never receives the
    number, but the rater sees that this org and role called them through the relay).
    Call inside the caller's transaction."""
    access_record(actor=actor, rater=rater, kind="relay", subject=subject, purpose=purpose,
                  fields=[], now=now or timezone.now())


def rater_phone_for_delivery(rater: Rater) -> str:
    """The rater's phone for the notify backend only: not audited per message, and the
    caller must never log it."""
    return crypto.decrypt_field("phone", rater.phone_cipher, field_ring())


def rater_identities_for_upload(raters: Iterable[Rater],
                                fields: tuple[str, ...] = IDENTITY_FIELDS,
                                ) -> dict[int, RaterIdentity | None]:
    """The identities the exchange uploads to a remote platform (issue 13: every rating
    goes up with its rater's identity, encrypted by the remote's profile). A system read,
    like :func:`rater_phone_for_delivery`: not audited per record (the outbox row and the
    remote's acknowledgement are its trace); ``fields`` limits what is decrypted to what
    the profile sends. None for a rater whose ciphertext no configured key opens. The
    caller must never log the values."""
    wanted = tuple(f for f in IDENTITY_FIELDS if f in fields)
    found: dict[int, RaterIdentity | None] = {}
    for rater in raters:
        try:
            found[rater.pk] = _identity(rater, wanted)
        except crypto.VaultError:
            found[rater.pk] = None
    return found
