"""Writes of the device interface v1 (docs/devices.md): re-key and deactivate a device
(the office, audited), record a signed request's nonce and the device's contact, a
refusal's audit row, and a device's rating (through ``evaluation_submit`` like every
channel). Registration is ``evaluations.services.device_create``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.keys import generate_key
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.rules.standards import Channel
from haochaping.core import ratelimit
from haochaping.core.errors import Conflict, ValidationError
from haochaping.evaluations.devices import rules
from haochaping.evaluations.devices.sealing import seal_device_key
from haochaping.evaluations.models import Device, DeviceNonce, Evaluation
from haochaping.evaluations.public import pad_presented
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.throttle import throttle

# Refusals audited per client address and minute; beyond that they are still refused but
# not written, so a flood of forged requests cannot grow the audit log without bound.
REFUSALS_AUDITED_PER_MINUTE = 30


def _org_path(device: Device) -> str:
    return str(device.window.org.path)


def device_rekey(*, actor: Actor, device: Device) -> tuple[Device, str]:
    """A new key for ``device`` (shown once); the old one stops working at once for the
    interface and within a minute for the pad page (its cached device check)."""
    require(actor, access.DEVICE, access.WRITE, _org_path(device))
    key = generate_key()
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(key_prefix=key.prefix, key_hash=key.hash,
                                                   key_sealed=seal_device_key(key.raw))
        audit_record(action="device.rekey", actor=actor.user, actor_label=actor.label,
                     obj=device, before={"key_prefix": device.key_prefix},
                     after={"key_prefix": key.prefix})
    device.refresh_from_db()
    return device, key.raw


def device_deactivate(*, actor: Actor, device: Device) -> Device:
    """Take a device out of service (evaluations keep pointing at it, so never deleted)."""
    require(actor, access.DEVICE, access.WRITE, _org_path(device))
    with transaction.atomic():
        if not Device.objects.filter(pk=device.pk, is_active=True).update(is_active=False):
            raise Conflict("device.already_inactive", "该设备已停用")
        audit_record(action="device.deactivate", actor=actor.user, actor_label=actor.label,
                     obj=device, before={"is_active": True}, after={"is_active": False})
    device.refresh_from_db()
    return device


def nonce_accept(*, device: Device, nonce: str, now: datetime) -> None:
    """Record the nonce of a correctly signed request; a nonce the device used before is
    a replay (``device.replayed_nonce``). Nonces older than the replay window are dropped
    here, per device, so the table holds minutes of traffic."""
    try:
        with transaction.atomic():
            DeviceNonce.objects.filter(device=device,
                                       seen_at__lt=now - rules.NONCE_RETENTION).delete()
            DeviceNonce.objects.create(device=device, nonce=nonce, seen_at=now)
    except IntegrityError:
        raise rules.DeviceRefused("device.replayed_nonce",
                                  "该请求随机串已使用过（重放请求），请用新的随机串重新签名",
                                  rules.NONCE_HEADER) from None


def device_contact(*, device: Device, now: datetime, heartbeat: bool = False,
                   agent: str = "") -> None:
    """Record that the device was heard from: a heartbeat always (with the model and
    firmware it reports, when it does), any other signed request at most every
    :data:`rules.LAST_SEEN_RESOLUTION`."""
    if heartbeat:
        fields: dict[str, object] = {"last_seen_at": now}
        if agent.strip():
            fields["agent"] = device.agent = agent.strip()[:100]
        Device.objects.filter(pk=device.pk).update(**fields)
        device.last_seen_at = now
        return
    stale = Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - rules.LAST_SEEN_RESOLUTION)
    if Device.objects.filter(stale, pk=device.pk).update(last_seen_at=now):
        device.last_seen_at = now


def device_refusal_record(*, code: str, key_id: str, method: str, path: str,
                          ip: str | None, now: datetime) -> bool:
    """Audit one refused interface request (``device.request_refused``): what was claimed,
    never the signature or the body. Returns False when the address is over its
    per-minute allowance and nothing was written."""
    if ratelimit.over_limit(f"device_refusal:{ip or '-'}", REFUSALS_AUDITED_PER_MINUTE, 60,
                            now=now.timestamp()):
        return False
    device = Device.objects.filter(key_prefix=key_id).only("pk").first() if key_id else None
    audit_record(action="device.request_refused", actor_label=f"device:{key_id or '?'}",
                 object_type="evaluations.device", object_id=device.pk if device else "",
                 after={"code": code, "key_id": key_id[:16], "method": method[:8],
                        "path": path[:200]}, ip=ip)
    return True


@dataclass(frozen=True)
class DevicePost:
    """A device's rating post as the API received it."""

    handling_id: int
    level: int | None = None
    key: int | None = None
    item_levels: dict[str, int] | None = None
    content_codes: list[str] | None = None
    reason_codes: list[str] | None = None
    text: str = ""

    @property
    def has_details(self) -> bool:
        return bool(self.item_levels or self.content_codes or self.reason_codes
                    or self.text.strip())


def device_rating_submit(*, device: Device, post: DevicePost, ip: str | None = None,
                         user_agent: str = "", now: datetime | None = None) -> Evaluation:
    """Rate the handling the device's window presents now (``public.pad_presented``, as
    the pad page: never an older one). A four-key pad's key becomes its level by the
    stated table and the rating is marked degraded; a 差评 from it opens its work order
    without a reason, which the call-back collects."""
    now = now or timezone.now()
    throttle("device", device.pk)
    try:
        level, degraded = rules.rating_level(rules.RatingPost(
            kind=device.kind, level=post.level, key=post.key, has_details=post.has_details))
    except rules.DeviceRefused as exc:
        raise ValidationError(exc.code, exc.message, exc.field) from None
    handling = pad_presented(device.window_id, post.handling_id, now)
    rating = RatingInput(level=level, item_levels=dict(post.item_levels or {}),
                         content_codes=list(post.content_codes or []),
                         reason_codes=list(post.reason_codes or []), text=post.text)
    channel = Channel.KIOSK if device.kind == rules.KIOSK else Channel.EVALUATOR
    rows = evaluation_submit(handling=handling, rating=rating, channel=channel, device=device,
                             ip=ip, user_agent=user_agent, degraded=degraded, now=now)
    return rows[0]
