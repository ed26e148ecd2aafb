"""What the demo's raters did with a completed handling: which channel, when, which level,
content items and reasons (from the active standard), and what the default-rating sweep
did with the ones left unrated. Produces plain field dicts for ``Evaluation`` rows that
obey ``evaluations.rules`` (seed 000 §7 one rating per service, §11 default rating; seed 003
§7 reasons for 差评, §9 SMS reply then follow-up). Pure Python, seeded.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from haochaping.catalog.rules.standards import Channel, is_bad
from haochaping.demo.timeline import Timeline
from haochaping.evaluations.rules import FIRST_RATING, FOLLOW_UP, FREE_TEXT_REASON

RATED_SHARE = 0.88  # raters who rate at all; the rest get the policy's default (if any)
LEVEL_WEIGHTS = {5: 86.0, 4: 8.0, 3: 3.3, 2: 1.7, 1: 1.0}
# Share of ratings at the kiosk's own window that are given on the kiosk.
KIOSK_SHARE = 0.3
OFFLINE_CHANNELS = {Channel.EVALUATOR: 50, Channel.QR_CODE: 18, Channel.KIOSK: 4,
                    Channel.SMS: 12, Channel.PHONE: 4, Channel.HOTLINE: 1, Channel.WEB: 5,
                    Channel.APP: 4, Channel.MINI_PROGRAM: 2}
ONLINE_CHANNELS = {Channel.WEB: 36, Channel.APP: 28, Channel.MINI_PROGRAM: 18,
                   Channel.SMS: 16, Channel.HOTLINE: 2}
SMS_BARE_DIGIT_SHARE = 0.6  # bad SMS replies that are a bare digit, then a follow-up
RERATE_DEFAULT_SHARE = 0.04  # defaults later replaced by a real rating
PUBLIC_NETS = ("171.8", "1.192", "42.236", "123.52", "39.149", "223.88", "115.60", "218.28")
USER_AGENTS = {
    Channel.EVALUATOR: "HCP-Pad/2.1 (Android 9; 评价器)",
    Channel.KIOSK: "HCP-Kiosk/2.1 (Windows 10; 自助服务终端)",
    Channel.WEB: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                 "Gecko) Chrome/126.0.0.0 Safari/537.36",
    Channel.APP: "ZhengHaoBan/4.3.2 (iPhone; iOS 17.5; Scale/3.00)",
    Channel.MINI_PROGRAM: "Mozilla/5.0 (Linux; Android 13; V2227A) MicroMessenger/8.0.47 "
                          "miniProgram",
    Channel.QR_CODE: "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00) Mobile Safari/537.36",
    Channel.PHONE: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0",
}
PRAISE = ("窗口工作人员很耐心，一次就办好了", "效率很高，点赞", "服务热情，讲解清楚",
          "网上就能办，非常方便", "比以前快多了，不用来回跑")
COMPLAINTS = ("排队时间太长，等了一个多小时", "材料要求没有一次性告知，跑了两趟",
              "工作人员态度生硬，解释不清楚", "网上系统老是提交失败，只能到现场",
              "办理时间超过承诺时限，也没有人通知进度", "窗口午休时间没人，白跑一趟")


@dataclass(frozen=True)
class Standard:
    """The active standard version as plain data (content codes by level, indicator codes
    by channel group, listed reason codes)."""

    version_id: int
    items: Mapping[int, tuple[str, ...]]
    indicators: Mapping[str, tuple[str, ...]]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Context:
    standard: Standard
    devices: Mapping[int, int]  # window id -> evaluator pad id
    kiosk: tuple[int, int] | None  # (window id, kiosk id)
    app_client_id: int
    supervisor_id: int
    default_level: int | None


@dataclass(frozen=True)
class Handled:
    """The facts of one completed handling the outcome depends on."""

    window_id: int | None
    offline: bool
    has_phone: bool
    completed_at: datetime
    invite_due_at: datetime | None
    default_due_at: datetime | None


class RatingMaker:
    def __init__(self, rng: random.Random, ctx: Context, timeline: Timeline) -> None:
        self.rng, self.ctx, self.timeline, self.now = rng, ctx, timeline, timeline.now
        self.levels, self.level_weights = list(LEVEL_WEIGHTS), list(LEVEL_WEIGHTS.values())

    def outcome(self, h: Handled) -> list[dict[str, Any]]:
        """Evaluation fields in insert order; the last one is current (``is_current``)."""
        rng, rows = self.rng, []
        real = self._real(h) if rng.random() < RATED_SHARE else []
        default_at = self._default_time(h)
        if default_at is not None and (not real or real[0]["created_at"] > default_at):
            rows.append(self._default(default_at))
            if not real and rng.random() < RERATE_DEFAULT_SHARE:
                real = self._real(h, after=default_at)
        rows.extend(real)
        for earlier, later in zip(rows, rows[1:], strict=False):
            earlier["is_current"], earlier["superseded_at"] = False, later["created_at"]
        return rows

    def _default_time(self, h: Handled) -> datetime | None:
        if h.default_due_at is None or self.ctx.default_level is None:
            return None
        at = h.default_due_at + timedelta(minutes=self.rng.uniform(1, 20))  # the sweep ran
        return at if at <= self.now else None

    def _default(self, at: datetime) -> dict[str, Any]:
        return {"level": self.ctx.default_level, "channel": Channel.DEFAULT.value,
                "is_default": True, "assess_number": FIRST_RATING, "created_at": at,
                "standard_version_id": self.ctx.standard.version_id}

    def _channel(self, h: Handled, after: datetime | None) -> Channel:
        table = OFFLINE_CHANNELS if h.offline else ONLINE_CHANNELS
        channel = self.rng.choices(list(table), list(table.values()))[0]
        kiosk_window = self.ctx.kiosk[0] if self.ctx.kiosk else None
        if after is None and h.window_id == kiosk_window and self.rng.random() < KIOSK_SHARE:
            channel = Channel.KIOSK  # the hall's self-service kiosk stands by this window
        if after is not None and channel not in (Channel.WEB, Channel.APP, Channel.SMS):
            channel = Channel.APP
        if channel is Channel.SMS and not (h.has_phone and h.invite_due_at):
            channel = Channel.WEB
        if channel is Channel.EVALUATOR and h.window_id is None:
            channel = Channel.QR_CODE
        return channel

    def _when(self, channel: Channel, h: Handled, after: datetime | None) -> datetime:
        rng, start = self.rng, after or h.completed_at
        if channel in (Channel.EVALUATOR, Channel.KIOSK):
            return start + timedelta(seconds=rng.uniform(15, 180))
        if channel is Channel.QR_CODE:
            return start + timedelta(minutes=rng.uniform(1, 40))
        if channel is Channel.SMS and h.invite_due_at is not None and after is None:
            return h.invite_due_at + timedelta(minutes=rng.expovariate(1 / 90))
        if channel is Channel.PHONE:
            return self.timeline.office_moment_after(start, rng, min_days=1, max_days=4)
        return start + timedelta(minutes=min(rng.expovariate(1 / 600), 6 * 24 * 60))

    def _real(self, h: Handled, after: datetime | None = None) -> list[dict[str, Any]]:
        rng = self.rng
        channel = self._channel(h, after)
        at = self._when(channel, h, after)
        if at > self.now:
            return []  # not rated yet
        level = rng.choices(self.levels, self.level_weights)[0]
        row = self._facts(channel, h, level, at)
        bad = is_bad(level)
        if bad and channel is Channel.SMS and rng.random() < SMS_BARE_DIGIT_SHARE:
            # Seed 003 §9: a bare "1"/"2" reply, then the reason answering the follow-up.
            follow_at = at + timedelta(minutes=rng.uniform(5, 240))
            first = {**row, "assess_number": FIRST_RATING}
            if follow_at > self.now:
                return [first]
            return [first, {**self._facts(channel, h, level, follow_at),
                            **self._content(level, h.offline), "assess_number": FOLLOW_UP}]
        return [{**row, **self._content(level, h.offline)}]

    def _facts(self, channel: Channel, h: Handled, level: int, at: datetime) -> dict[str, Any]:
        rng, ctx = self.rng, self.ctx
        row: dict[str, Any] = {"level": level, "channel": channel.value, "created_at": at,
                               "assess_number": FIRST_RATING,
                               "standard_version_id": ctx.standard.version_id,
                               "user_agent": USER_AGENTS.get(channel, "")}
        if channel is Channel.EVALUATOR:
            row["device_id"] = ctx.devices.get(h.window_id or 0)
        elif channel is Channel.KIOSK and ctx.kiosk and ctx.kiosk[0] == h.window_id:
            row["device_id"] = ctx.kiosk[1]
        if channel in (Channel.APP, Channel.MINI_PROGRAM):
            row["client_id"] = ctx.app_client_id
        if channel is Channel.PHONE:
            row["entered_by_id"] = ctx.supervisor_id
        if channel in (Channel.EVALUATOR, Channel.KIOSK, Channel.PHONE):
            row["ip"] = f"10.71.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}"
        elif channel not in (Channel.SMS, Channel.HOTLINE):
            row["ip"] = f"{rng.choice(PUBLIC_NETS)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        return row

    def _content(self, level: int, offline: bool) -> dict[str, Any]:
        rng, std = self.rng, self.ctx.standard
        items = std.items.get(level, ())
        out: dict[str, Any] = {
            "content_codes": rng.sample(items, min(len(items), rng.randint(1, 2))),
        }
        indicators = std.indicators.get("offline" if offline else "online", ())
        if indicators and rng.random() < 0.5:
            out["item_levels"] = {code: max(1, min(5, level + rng.choice((0, 0, 0, -1, 1))))
                                  for code in indicators}
        if is_bad(level):
            listed = [c for c in std.reasons if c != FREE_TEXT_REASON]
            out["reason_codes"] = rng.sample(listed, min(len(listed), rng.randint(1, 2)))
            if rng.random() < 0.6:
                out["text"] = rng.choice(COMPLAINTS)
        elif level == 5 and rng.random() < 0.05:
            out["text"] = rng.choice(PRAISE)
        return out
