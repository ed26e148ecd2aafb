"""Services and reads of the public rating channels that are not the evaluation core:
the window-QR phone challenge (seed 002), the handlings a verified phone may rate at a
window, invitation subjects, and the evaluator pad's device check and state.

Public pages have no logged-in actor: every read here is bounded by what the caller
proved instead (a signed invitation token, a verified phone's blind index, a device key),
and returns only masked rater data.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from haochaping.accounts import rules as keys
from haochaping.catalog.models import Staff, Window
from haochaping.core import ratelimit
from haochaping.core.errors import AppError, NotFound, RateLimited
from haochaping.evaluations import rules
from haochaping.evaluations.invitations import batch_handlings
from haochaping.evaluations.models import Device, Invitation, PhoneChallenge
from haochaping.handlings.models import Handling
from haochaping.notify.services import outbox_enqueue
from haochaping.vault import blind_index
from haochaping.vault.identity import normalise_phone

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
SEND_GAP = timedelta(seconds=60)  # one code per phone per minute
SENDS_PER_HOUR = 5  # per phone, counted on PhoneChallenge rows (shared by all workers)
IP_SENDS_PER_HOUR = 20  # per IP, counted in the cache
RECENT_DAYS = 30  # the window QR offers handlings completed in the last 30 days
PAD_RECENT = timedelta(minutes=30)  # a pad offers only a handling completed just now
# A rater already on the rating screen (it stays up to a minute, views.pad) may still send
# it for this long after the next handling at the window completed and took the screen.
PAD_HANDOVER = timedelta(seconds=90)
PAD_KEY = "pad:window:{window_id}"  # bumped by handlings.services.bump_pads
PAD_COOKIE = "hcp_pad"  # signed with PAD_SALT; read by the pad views and `padwait`
PAD_SALT = "hcp.pad.device"
DEVICE_CHECK_SECONDS = 60  # device re-check and last_seen_at resolution

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_CODE_DOMAIN = b"haochaping.evaluations.phone_code.v1"


class PublicError(AppError):
    """A refusal on a public page: stable code, Chinese message, HTTP status."""

    def __init__(self, code: str, message: str, status: int, field: str | None = None) -> None:
        super().__init__(code=code, message=message, field=field, status=status)


# --- window QR: phone challenge -----------------------------------------------------------


def _code_hash(phone_index: str, code: str) -> str:
    key = hmac.new(settings.SECRET_KEY.encode("utf-8"), _CODE_DOMAIN, hashlib.sha256).digest()
    return hmac.new(key, f"{phone_index}:{code}".encode(), hashlib.sha256).hexdigest()


def phone_index_of(phone: str) -> str:
    """The blind index of a mobile number; ``phone.invalid`` when it is not one."""
    normalised = normalise_phone(phone or "")
    if not _MOBILE.match(normalised):
        raise PublicError("phone.invalid", "请输入正确的 11 位手机号码", 422, "phone")
    return blind_index("phone", normalised)


def _count_ip_send(ip: str | None) -> None:
    if not ip:
        return
    if ratelimit.over_limit(f"phone_send_ip:{ip}", IP_SENDS_PER_HOUR, 3600,
                            now=timezone.now().timestamp()):
        raise RateLimited("phone.too_many_sends", "获取验证码过于频繁，请稍后再试")


def phone_challenge_send(*, phone: str, window: Window | None, ip: str | None = None,
                         now: datetime | None = None) -> PhoneChallenge:
    """Send a fresh SMS code to ``phone`` through the outbox (template ``sms_code``).

    Only the code's keyed hash is stored; the phone is kept as its blind index. Limited
    per phone (one a minute, five an hour, counted on the rows) and per IP.
    """
    now = now or timezone.now()
    phone_index = phone_index_of(phone)
    recent = PhoneChallenge.objects.filter(phone_index=phone_index,
                                           created_at__gte=now - timedelta(hours=1))
    if recent.filter(created_at__gte=now - SEND_GAP).exists():
        raise RateLimited("phone.too_many_sends", "验证码已发送，请 60 秒后再试")
    if recent.count() >= SENDS_PER_HOUR:
        raise RateLimited("phone.too_many_sends", "验证码发送次数过多，请一小时后再试")
    _count_ip_send(ip)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        challenge = PhoneChallenge.objects.create(
            phone_index=phone_index, window=window, code_hash=_code_hash(phone_index, code),
            expires_at=now + CODE_TTL)
        outbox_enqueue(template="sms_code", to=normalise_phone(phone),
                       params={"code": code, "minutes": int(CODE_TTL.total_seconds() // 60)},
                       dedupe_key=f"sms_code:{challenge.pk}")
    return challenge


def phone_resend_wait(phone: str, now: datetime | None = None) -> int:
    """Seconds until ``phone`` may ask for another code (0: now), for the countdown of
    the resend button; 0 for a number that is not a mobile one."""
    now = now or timezone.now()
    try:
        phone_index = phone_index_of(phone)
    except AppError:
        return 0
    last = (PhoneChallenge.objects.filter(phone_index=phone_index)
            .order_by("-created_at").values_list("created_at", flat=True).first())
    if last is None:
        return 0
    return max(0, int((last + SEND_GAP - now).total_seconds() + 0.999))


def phone_challenge_verify(*, phone: str, code: str, window: Window | None,
                           now: datetime | None = None) -> str:
    """Check ``code`` against the phone's latest challenge; returns the phone's blind
    index. Every try counts (the attempt counter is the only write on failure)."""
    now = now or timezone.now()
    phone_index = phone_index_of(phone)
    challenge = (PhoneChallenge.objects.filter(phone_index=phone_index, window=window)
                 .order_by("-created_at", "-pk").first())
    if challenge is None or challenge.verified_at is not None or now >= challenge.expires_at:
        raise PublicError("phone.code_expired", "验证码已过期或不存在，请重新获取", 410, "code")
    if not PhoneChallenge.objects.filter(pk=challenge.pk, attempts__lt=MAX_ATTEMPTS).update(
            attempts=F("attempts") + 1):
        raise RateLimited("phone.too_many_attempts", "验证码错误次数过多，请重新获取")
    expected = _code_hash(phone_index, (code or "").strip())
    if not hmac.compare_digest(expected, challenge.code_hash):
        raise PublicError("phone.code_invalid", "验证码错误，请重新输入", 422, "code")
    if not PhoneChallenge.objects.filter(pk=challenge.pk, verified_at__isnull=True).update(
            verified_at=now):
        raise PublicError("phone.code_expired", "验证码已使用，请重新获取", 410, "code")
    return phone_index


def _rateable(now: datetime) -> Q:
    """Completed, inside the supplementary window, and unrated or rated only by default."""
    return (Q(status=rules.STATUS_COMPLETED)
            & (Q(rating_closes_at__isnull=True) | Q(rating_closes_at__gte=now))
            & (Q(rated_at__isnull=True)
               | Q(evaluations__is_current=True, evaluations__is_default=True)))


def window_handlings(*, phone_index: str, window: Window,
                     now: datetime | None = None) -> list[Handling]:
    """The verified phone's rateable handlings at ``window`` from the last 30 days."""
    now = now or timezone.now()
    return list(Handling.objects.filter(
        _rateable(now), window=window, rater__phone_index=phone_index,
        completed_at__gte=now - timedelta(days=RECENT_DAYS))
        .select_related("matter", "org", "rater", "staff")
        .order_by("-completed_at", "-pk").distinct()[:20])


def window_history(*, phone_index: str, window: Window,
                   now: datetime | None = None) -> list[tuple[Handling, bool]]:
    """The verified phone's handlings at ``window`` from the last 30 days, each with
    whether it may still be rated (False: already rated, or its rating period is over),
    rateable ones first: the list of the window-QR flow marks the others 已评价."""
    now = now or timezone.now()
    open_ids = {h.pk for h in window_handlings(phone_index=phone_index, window=window,
                                               now=now)}
    rows = list(Handling.objects.filter(
        status=rules.STATUS_COMPLETED, window=window, rater__phone_index=phone_index,
        completed_at__gte=now - timedelta(days=RECENT_DAYS))
        .select_related("matter", "org", "rater")
        .order_by("-completed_at", "-pk")[:40])
    return sorted(((h, h.pk in open_ids) for h in rows), key=lambda pair: not pair[1])


def window_handling(*, phone_index: str, window: Window, handling_id: int,
                    now: datetime | None = None) -> Handling:
    for handling in window_handlings(phone_index=phone_index, window=window, now=now):
        if handling.pk == handling_id:
            return handling
    raise NotFound("handling.not_rateable", "未找到可评价的办件")


def active_window(code: str) -> Window:
    window = Window.objects.select_related("hall", "org").filter(code=code,
                                                                 is_active=True).first()
    if window is None:
        raise NotFound("window.not_found", "窗口不存在或已停用")
    return window


# --- invitations --------------------------------------------------------------------------


def invitation_handlings(invitation: Invitation) -> list[Handling]:
    """The handling of the invitation, or the completed handlings of its batch."""
    related = ("matter", "org", "rater", "staff")
    if invitation.handling_id is not None:
        return [Handling.objects.select_related(*related).get(pk=invitation.handling_id)]
    return list(batch_handlings(invitation).filter(status=rules.STATUS_COMPLETED)
                .select_related(*related).order_by("completed_at", "pk"))


def handling_state(handling: Handling,
                   current: rules.CurrentRating | None = None) -> rules.HandlingState:
    """What the rating rules know of ``handling`` before a rater is involved."""
    return rules.HandlingState(
        status=handling.status,
        channel_group=rules.channel_group_of(has_window=handling.window_id is not None,
                                             service_channel=handling.service_channel),
        rating_closes_at=handling.rating_closes_at, staff_user_id=None, current=current)


def rating_closed(handling: Handling, now: datetime | None = None) -> AppError | None:
    """Why ``handling`` cannot be rated now (the core's timing rule), or None."""
    try:
        rules.check_timing(handling_state(handling), now or timezone.now())
    except rules.RatingRejected as exc:
        return PublicError(exc.code, exc.message, 409)
    return None


# --- evaluator pad ------------------------------------------------------------------------


@dataclass(frozen=True)
class PadClaim:
    """What the pad's signed cookie says: no database needed to trust it."""

    device_id: int
    window_id: int
    kind: str
    key_tag: str  # first 16 hex chars of the key hash: a new key voids old cookies

    def dumps(self) -> str:
        return f"{self.device_id}:{self.window_id}:{self.kind}:{self.key_tag}"

    @classmethod
    def loads(cls, value: str) -> PadClaim | None:
        parts = value.split(":")
        if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit():
            return None
        return cls(int(parts[0]), int(parts[1]), parts[2], parts[3])


def device_refused() -> PublicError:
    return PublicError("device.invalid", "评价设备密钥无效或设备已停用，请联系管理员重新绑定", 401)


def device_authenticate(raw_key: str) -> PadClaim:
    """The claim of the active device holding ``raw_key``; ``device.invalid`` otherwise."""
    parsed = keys.parse_key(raw_key or "")
    if parsed is None:
        raise device_refused()
    device = Device.objects.filter(key_prefix=parsed[0], is_active=True).first()
    if device is None or not keys.key_matches(raw_key, device.key_hash):
        raise device_refused()
    return PadClaim(device.pk, device.window_id, device.kind, device.key_hash[:16])


def device_alive(claim: PadClaim, now: datetime | None = None) -> bool:
    """Is the claimed device still active with the same key? Checked against the database
    at most once a minute per device (cached), which also records ``last_seen_at``."""
    key = f"pad:device:{claim.device_id}:{claim.key_tag}"
    cached = cache.get(key)
    if cached is not None:
        return bool(cached)
    now = now or timezone.now()
    alive = bool(Device.objects.filter(pk=claim.device_id, window_id=claim.window_id,
                                       is_active=True, key_hash__startswith=claim.key_tag)
                 .update(last_seen_at=now))
    cache.set(key, 1 if alive else 0, timeout=DEVICE_CHECK_SECONDS)
    return alive


def pad_version(window_id: int) -> int:
    """The window's work counter, from the cache only (initialised when absent)."""
    key = PAD_KEY.format(window_id=window_id)
    value = cache.get(key)
    if value is None:
        cache.add(key, 0, timeout=None)
        value = cache.get(key, 0)
    return int(value)


def pad_claim_of_cookie(value: str | None) -> PadClaim | None:
    """The claim in a raw ``hcp_pad`` cookie value, checked exactly like
    ``request.get_signed_cookie(PAD_COOKIE, salt=PAD_SALT)``; None when absent or forged."""
    if not value:
        return None
    try:
        payload = signing.get_cookie_signer(salt=PAD_COOKIE + PAD_SALT).unsign(value)
    except signing.BadSignature:
        return None
    return PadClaim.loads(payload)


def pad_wait_versions(window_ids: list[int], now: datetime | None = None) -> dict[int, str]:
    """Each window's long-poll version in ONE query: ``count-maxid-maxcompleted`` of the
    handlings a pad would offer (``pad_pending``'s filter), ``"0"`` when there are none.
    Any handling entering or leaving that set changes it, however it was written."""
    now = now or timezone.now()
    versions = dict.fromkeys(window_ids, "0")
    rows = (Handling.objects.filter(window_id__in=window_ids, status=rules.STATUS_COMPLETED,
                                    rated_at__isnull=True,
                                    completed_at__gte=now - PAD_RECENT)
            .order_by().values("window_id")
            .annotate(n=Count("id"), top=Max("id"), last=Max("completed_at")))
    for row in rows:
        versions[row["window_id"]] = f"{row['n']}-{row['top']}-{int(row['last'].timestamp())}"
    return versions


def pad_device(claim: PadClaim) -> Device:
    return Device.objects.select_related("window", "window__hall").get(pk=claim.device_id)


def pad_pending(window_id: int, now: datetime | None = None) -> Handling | None:
    """The latest handling completed at the window just now and still unrated."""
    now = now or timezone.now()
    return (Handling.objects.filter(window_id=window_id, status=rules.STATUS_COMPLETED,
                                    rated_at__isnull=True,
                                    completed_at__gte=now - PAD_RECENT)
            .select_related("matter", "staff", "org").order_by("-completed_at", "-pk").first())


def pad_presented(window_id: int, handling_id: int, now: datetime | None = None) -> Handling:
    """The handling a pad's rating may rate: the one the pad presents right now
    (:func:`pad_pending`), or the one it presented until the next handling completed less
    than :data:`PAD_HANDOVER` ago (its rater was still on the screen). Whoever holds the
    pad cannot pick another unrated handling of the window (seed 003 §15: staff never
    rate for the rater). ``handling.not_found`` (404) outside the window,
    ``pad.not_presented`` (409) for a handling of the window that the pad does not show
    (older, already rated)."""
    now = now or timezone.now()
    shown = pad_pending(window_id, now)
    if shown is not None and shown.pk == handling_id:
        return shown
    candidate = (Handling.objects.filter(pk=handling_id, window_id=window_id,
                                         status=rules.STATUS_COMPLETED, rated_at__isnull=True,
                                         completed_at__gte=now - PAD_RECENT)
                 .select_related("matter", "staff", "org").first())
    if candidate is not None and candidate.completed_at is not None:
        displaced = (Handling.objects.filter(window_id=window_id,
                                             status=rules.STATUS_COMPLETED,
                                             completed_at__gt=candidate.completed_at)
                     .order_by("completed_at").values_list("completed_at", flat=True).first())
        if displaced is not None and displaced >= now - PAD_HANDOVER:
            return candidate
    if not Handling.objects.filter(pk=handling_id, window_id=window_id).exists():
        raise NotFound("handling.not_found", "该办件不属于本窗口")
    raise PublicError("pad.not_presented", "只能评价评价器当前显示的办件，请以屏幕显示为准", 409,
                      "handling")


def staff_on_duty(window_id: int) -> Staff | None:
    return (Staff.objects.filter(window_id=window_id, is_active=True)
            .order_by("staff_no").first())
