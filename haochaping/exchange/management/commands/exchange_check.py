"""``haochaping exchange check --profile NAME --url URL [--key-env NAME]``: the dry run of
a locality's integration day (联调): our sample messages validated against the profile,
harmless probes of the remote's endpoint, no data uploaded (``exchange.checking``).
Exits non-zero when any check fails."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.core.errors import NotFound
from haochaping.exchange import checking
from haochaping.exchange.fakeremote.demokeys import demo_ring
from haochaping.exchange.keys import key_ring, key_status
from haochaping.exchange.profiles_store import profile_get
from haochaping.exchange.rules.errors import ExchangeError
from haochaping.exchange.rules.profile_schema import Profile
from haochaping.exchange.rules.profiles import profile_parse
from haochaping.exchange.rules.signing import KeyRing


class Command(BaseCommand):
    help = "对接联调检查：校验报文、无害探测，不上报数据 / integration-day dry run, uploads nothing"

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--profile", help="a profile name (shipped, or added by the office)")
        which.add_argument("--profile-file", type=Path, help="a profile document (JSON)")
        parser.add_argument("--url", required=True, help="the remote's base URL")
        parser.add_argument("--key-env", default="",
                            help="our keys: HCP_EXCHANGE_<NAME>_* (default: the demo-only keys)")
        parser.add_argument("--day", type=date.fromisoformat, default=checking.EMPTY_DAY,
                            help="a day without data for the count probe (YYYY-MM-DD)")
        parser.add_argument("--org", default="", help="org code of the count probe ('' = all)")
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")

    def _profile(self, options: dict[str, Any]) -> Profile:
        try:
            if options["profile_file"] is not None:
                return profile_parse(orjson.loads(options["profile_file"].read_bytes()))
            return profile_get(options["profile"])
        except NotFound as exc:
            raise CommandError(exc.message) from exc
        except (ExchangeError, orjson.JSONDecodeError, OSError) as exc:
            raise CommandError(f"对接规范无法读取 / cannot read the profile: {exc}") from exc

    def _keys(self, profile: Profile, key_env: str) -> tuple[KeyRing | None, checking.Line]:
        if not key_env:
            return demo_ring("ours"), checking.Line(
                None, "未指定 --key-env：使用演示密钥（仅用于演示和假远端平台，真实平台必然拒绝）",
                "no --key-env: the demo-only keys (a real platform will refuse them)")
        try:
            ring = key_ring(key_env, profile)
        except ExchangeError as exc:
            return None, checking.Line(False, f"密钥：{exc.message}", "keys: missing or malformed")
        status = key_status(key_env, profile)
        return ring, checking.Line(True, f"密钥（{key_env.upper()}）：{status}",
                                   f"keys ({key_env.upper()}) are set for every purpose needed")

    def handle(self, *args: Any, **options: Any) -> None:
        url: str = options["url"]
        if not url.startswith(("http://", "https://")):
            raise CommandError("--url 应以 http:// 或 https:// 开头 / --url must be http(s)")
        profile = self._profile(options)
        out = self.stdout
        out.write(f"对接联调检查 / integration check · {profile.label}（{profile.name}）→ {url}")
        out.write("只发送无害的探测请求，不上报任何数据 / harmless probes only, no data uploaded")
        out.write("-" * 72)
        keys, key_line = self._keys(profile, options["key_env"])
        lines = [key_line]
        if keys is not None:
            lines += checking.check_messages(profile, keys, datetime.now(UTC))
            lines += checking.probe(profile, keys, url, day=options["day"], org=options["org"],
                                    timeout=options["timeout"], now=lambda: datetime.now(UTC))
        for line in lines:
            out.write(line.render())
        passed, summary = checking.verdict(lines)
        out.write("-" * 72)
        out.write(summary)
        if not passed:
            raise CommandError("对接联调检查未通过 / the integration check failed")
