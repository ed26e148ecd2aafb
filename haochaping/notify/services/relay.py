"""Privacy-number calls (隐私号, docs/notify.md): bind a staff caller and a rater to a
virtual number, release it, and fetch the platform's call records. Transport only: the
caller (workorders) checks who may call and records the access in the vault. The
platform is asked outside any transaction; each row is written in its own short one."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from haochaping.notify.models import RelayBinding, RelayCall
from haochaping.notify.telephony import BindRequest, get_telephony
from haochaping.vault.models import Rater
from haochaping.vault.services import rater_phone_for_delivery

# A binding about to expire is not handed out again: the caller needs time to dial.
REUSE_MARGIN = timedelta(minutes=5)


def relay_ttl() -> timedelta:
    return timedelta(minutes=settings.HCP_TELEPHONY_TTL_MINUTES)


def relay_active(ref: str, caller_id: int | None, now: datetime) -> RelayBinding | None:
    """The caller's live binding for ``ref``, if one is good for a few more minutes."""
    return (RelayBinding.objects.filter(ref=ref, caller_id=caller_id, status="bound",
                                        expires_at__gt=now + REUSE_MARGIN)
            .order_by("-created_at", "-pk").first())


def relay_bind(*, ref: str, rater: Rater, caller_id: int | None, caller_phone: str,
               now: datetime | None = None) -> tuple[RelayBinding, bool]:
    """Bind ``caller_phone`` to the rater for ``ref``: the binding and whether it is new
    (the caller's live binding is reused). A platform refusal is stored as a ``failed``
    row, which the caller reads to allow a fallback. The rater's number is decrypted
    only for the platform's request."""
    now = now or timezone.now()
    live = relay_active(ref, caller_id, now)
    if live is not None:
        return live, False
    backend = get_telephony()
    expires_at = now + relay_ttl()
    result = backend.bind(BindRequest(caller=caller_phone,
                                      callee=rater_phone_for_delivery(rater),
                                      expires_at=expires_at, ref=ref))
    with transaction.atomic():
        return RelayBinding.objects.create(
            ref=ref, rater=rater, caller_id=caller_id, backend=backend.name,
            binding_id=result.binding_id[:64], virtual_number=result.virtual_number[:20],
            status="bound" if result.ok else "failed", error=result.error[:200],
            created_at=now, expires_at=expires_at), True


def relay_failed(ref: str, caller_id: int) -> bool:
    """Whether the platform refused this caller's latest binding for ``ref``."""
    latest = (RelayBinding.objects.filter(ref=ref, caller_id=caller_id)
              .order_by("-created_at", "-pk").first())
    return latest is not None and latest.status == "failed"


def relay_calls_sync(ref: str, *, now: datetime | None = None) -> list[RelayCall]:
    """Fetch the call records of every binding of ``ref`` from the platform and store
    the new ones (each once); returns all stored calls of ``ref``, oldest first."""
    now = now or timezone.now()
    backend = get_telephony()
    for binding in RelayBinding.objects.filter(ref=ref).exclude(status="failed"):
        for call in backend.calls(binding.binding_id, binding.created_at):
            if call.started_at > now:
                continue  # not made yet (a fake's simulated call ahead of the clock)
            with transaction.atomic():
                RelayCall.objects.get_or_create(
                    binding=binding, call_id=call.call_id[:64],
                    defaults={"started_at": call.started_at, "seconds": call.seconds,
                              "outcome": call.outcome, "fetched_at": now})
    return relay_calls_of(ref)


def relay_calls_of(ref: str) -> list[RelayCall]:
    return list(RelayCall.objects.filter(binding__ref=ref).select_related("binding")
                .order_by("started_at", "pk"))


def relay_release(binding: RelayBinding, *, now: datetime | None = None) -> RelayBinding:
    """Release a live binding early (the call-back is recorded)."""
    if binding.status != "bound":
        return binding
    get_telephony().unbind(binding.binding_id)
    binding.status, binding.released_at = "released", now or timezone.now()
    binding.save(update_fields=["status", "released_at"])
    return binding
