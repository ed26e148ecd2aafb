"""``exchange check``: a dry run for a locality's integration day (联调). No ORM: the
command hands in the profile and the keys.

1. **Messages** (nothing sent): for every kind the profile exchanges, sample records
   (``samples``, made up) are mapped, encrypted and signed as delivery would, then read
   back with our own keys the way the remote will (``decode_batch``: the signature, the
   time window, every required field and code, the decryption) and compared with what
   was built; identity values must not appear in clear where the profile encrypts them.
2. **Probes** (harmless only; never an upload): the profile's count query for a day
   without data (``--day``, 2000-01-01 by default) for each kind — the answer must be
   2xx, readable, 0 records with the digest of no keys; then the same query with its
   signature broken, and one outside the time window — the remote must refuse both. A
   profile without a count endpoint has no harmless request: only a TCP connection to the
   address is tried, and the report says so.

Every check is one line, Chinese then English; any failure fails the run.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import orjson

from haochaping.exchange.kit_http import HttpAnswer, send_signed
from haochaping.exchange.rules.canonical import KIND_LABELS, Kind
from haochaping.exchange.rules.codec import (
    CodecError,
    decode_batch,
    decode_count,
    encode_batch,
    encode_count_query,
    ids_digest,
)
from haochaping.exchange.rules.errors import AUTH_CODES
from haochaping.exchange.rules.profile_schema import Profile
from haochaping.exchange.rules.signing import KeyRing, KeySet, sm2_public_key
from haochaping.exchange.rules.wire import SignedRequest, canonical_json
from haochaping.exchange.samples import sample_records

EMPTY_DAY = date(2000, 1, 1)
SAMPLES_PER_KIND = 3


@dataclass(frozen=True)
class Line:
    ok: bool | None  # True passed, False failed, None a note
    zh: str
    en: str

    def render(self) -> str:
        mark = {True: "[通过 PASS]", False: "[失败 FAIL]", None: "[提示 NOTE]"}[self.ok]
        return f"{mark} {self.zh}\n            {self.en}"


def _nonce() -> str:
    return uuid.uuid4().hex


def self_ring(keys: KeyRing) -> KeyRing:
    """Our ring as the remote holds it: our SM2 public keys verify our signatures."""
    if not keys.sm2_private:
        return keys
    public = KeySet(tuple((kid, sm2_public_key(private))
                          for kid, private in keys.sm2_private.entries))
    return replace(keys, sm2_peer_public=public)


def check_messages(profile: Profile, keys: KeyRing, now: datetime) -> list[Line]:
    lines = []
    verify_keys = self_ring(keys)
    encrypted = profile.encryption.alg == "sm4" and bool(profile.encryption.fields)
    for kind, spec in profile.kinds.items():
        label = f"{KIND_LABELS[kind]} {kind.value}"
        count = min(SAMPLES_PER_KIND, profile.envelope.max_items)
        items = sample_records(profile, kind, count, at=now)
        try:
            request = encode_batch(profile, kind, items, keys=keys, now=now, nonce=_nonce())
            batch = decode_batch(profile, kind, request.headers, request.body,
                                 keys=verify_keys, now=now)
        except CodecError as exc:
            lines.append(Line(False, f"{label}：样例报文无法按规范生成或读回："
                                     f"{exc.code} {exc.message}",
                              f"{kind.value}: the sample message fails: {exc.code}"))
            continue
        problems = []
        if batch.items != items:
            problems.append("读回的记录与发送的不一致 / read back differs from what was sent")
        if request.path != spec.path:
            problems.append(f"接口路径 {request.path} ≠ {spec.path}")
        if encrypted and any(r.cert_no.encode() in request.body for r in _people(items)):
            problems.append("身份证号以明文出现 / an ID number travels in clear")
        if problems:
            lines.append(Line(False, f"{label}：{'；'.join(problems)}",
                              f"{kind.value}: the sample message is wrong"))
            continue
        extra = "、SM4 加密" if encrypted else ""
        lines.append(Line(
            True, f"{label}：{count} 条样例报文（{len(request.body):,} 字节）的字段、代码表、"
                  f"签名（{profile.signing.alg}）{extra}校验通过，读回一致",
            f"{kind.value}: {count} sample records mapped, signed"
            f"{' and encrypted' if encrypted else ''} and read back unchanged"))
    return lines


def _people(items: list[tuple[str, Any]]) -> list[Any]:
    out = []
    for _, record in items:
        for name in ("applicant", "rater", "submitter"):
            person = getattr(record, name, None)
            if person is not None and person.cert_no:
                out.append(person)
    return out


def _refusal(profile: Profile, answer: HttpAnswer) -> str:
    """The code a refusal carries, when it is the profile's answer shape."""
    try:
        obj = orjson.loads(answer.body)
    except orjson.JSONDecodeError:
        return ""
    return str(obj.get(profile.answer.code, "")) if isinstance(obj, dict) else ""


def _timed(send: Callable[[], HttpAnswer]) -> tuple[HttpAnswer, float]:
    begin = time.perf_counter()
    answer = send()
    return answer, (time.perf_counter() - begin) * 1000


def _no_answer(what: tuple[str, str], answer: HttpAnswer) -> Line:
    return Line(False, f"{what[0]}：没有应答（{answer.error}），请核对地址、网络和防火墙",
                f"{what[1]}: no answer ({answer.error}); check the URL, network, firewall")


def _count_probe(profile: Profile, keys: KeyRing, url: str, kind: Kind, day: date,
                 org: str, timeout: float, now: datetime) -> Line:
    what = (f"对账查询（{KIND_LABELS[kind]}，{day}，{org or '全部机构'}）",
            f"count query ({kind.value}, {day}, {org or 'all orgs'})")
    request = encode_count_query(profile, kind, day, org, keys=keys, now=now, nonce=_nonce())
    answer, ms = _timed(lambda: send_signed(url, request, timeout))
    if answer.status == 0:
        return _no_answer(what, answer)
    if not 200 <= answer.status < 300:
        code = _refusal(profile, answer)
        hint = "，请核对密钥、密钥编号和双方时钟" if code in AUTH_CODES else ""
        return Line(False, f"{what[0]}：对方返回 HTTP {answer.status} {code}{hint}："
                           f"{answer.text(120)}", f"{what[1]}: HTTP {answer.status} {code}")
    try:
        count, digest = decode_count(profile, answer.body)
    except CodecError as exc:
        return Line(False, f"{what[0]}：应答无法读取：{exc.code} {exc.message}",
                    f"{what[1]}: unreadable answer: {exc.code} ({answer.text(80)!r})")
    if count != 0 or digest != ids_digest([]):
        return Line(False, f"{what[0]}：无数据的日期应答 0 条及空摘要，"
                           f"对方答 {count} 条、摘要 {digest[:12]}…",
                    f"{what[1]}: a day without data must count 0 with the empty digest")
    return Line(True, f"{what[0]}：HTTP {answer.status}，0 条，摘要正确（{ms:.0f} 毫秒）",
                f"{what[1]}: HTTP {answer.status}, 0 records, digest right ({ms:.0f} ms)")


def _broken(profile: Profile, request: SignedRequest) -> SignedRequest:
    """The request with one value of its body changed after signing."""
    assert profile.count is not None
    obj = orjson.loads(request.body)
    obj[profile.count.org_code] = f"{obj.get(profile.count.org_code, '')}-x"
    body = canonical_json(obj) if profile.signing.carrier == "body" else orjson.dumps(obj)
    return replace(request, body=body)


def _must_refuse(profile: Profile, url: str, request: SignedRequest, what: tuple[str, str],
                 timeout: float) -> Line:
    answer = send_signed(url, request, timeout)
    if answer.status == 0:
        return _no_answer(what, answer)
    code = _refusal(profile, answer)
    if 200 <= answer.status < 300 and code in profile.answer.ok:
        return Line(False, f"{what[0]}：对方接受了本应拒绝的请求（HTTP {answer.status}），"
                           "对方未做这项校验",
                    f"{what[1]}: the remote accepted it (HTTP {answer.status}): it does not check")
    return Line(True, f"{what[0]}：对方拒绝（HTTP {answer.status} {code}）",
                f"{what[1]}: refused (HTTP {answer.status} {code})")


def _connect(url: str, timeout: float) -> Line:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            pass
    except OSError as exc:
        return Line(False, f"连接 {parts.hostname}:{port} 失败：{exc}",
                    f"cannot connect to {parts.hostname}:{port}: {exc}")
    return Line(True, f"可以连接 {parts.hostname}:{port}（未发送任何报文）",
                f"{parts.hostname}:{port} accepts connections (nothing was sent)")


def probe(profile: Profile, keys: KeyRing, url: str, *, day: date = EMPTY_DAY, org: str = "",
          timeout: float = 10, now: Callable[[], datetime]) -> list[Line]:
    if profile.count is None:
        return [Line(None, f"对接规范 {profile.name} 没有对账接口，也没有其他无害的探测请求："
                           "只检查能否连接，不发送报文",
                     f"profile {profile.name} defines no harmless request: connection only"),
                _connect(url, timeout)]
    lines = [_count_probe(profile, keys, url, kind, day, org, timeout, now())
             for kind in profile.kinds]
    first = next(iter(profile.kinds))
    signed = encode_count_query(profile, first, day, org, keys=keys, now=now(), nonce=_nonce())
    lines.append(_must_refuse(profile, url, _broken(profile, signed),
                              ("签名错误的对账查询", "a count query with a broken signature"),
                              timeout))
    stale_at = now() - timedelta(seconds=profile.signing.skew_seconds * 2 + 60)
    stale = encode_count_query(profile, first, day, org, keys=keys, now=stale_at,
                               nonce=_nonce())
    lines.append(_must_refuse(profile, url, stale,
                              ("超出时间窗口的对账查询", "a count query outside the time window"),
                              timeout))
    return lines


def verdict(lines: list[Line]) -> tuple[bool, str]:
    checks = [line for line in lines if line.ok is not None]
    failed = sum(1 for line in checks if line.ok is False)
    if failed:
        return False, (f"结论：未通过，{len(checks)} 项检查中 {failed} 项失败\n"
                       f"RESULT: FAIL, {failed} of {len(checks)} checks failed")
    return True, (f"结论：通过，{len(checks)} 项检查全部通过（未上报任何数据）\n"
                  f"RESULT: PASS, all {len(checks)} checks passed (no data was uploaded)")
