"""``haochaping exchange fake-remote --profile national --port 8710 [--key-env NAME]``: the
fake remote platform (docs/exchange.md "Conformance kit"). No database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.exchange.fakeremote.app import FakeRemote
from haochaping.exchange.fakeremote.demokeys import THEIRS_ENV, demo_ring
from haochaping.exchange.fakeremote.server import serve
from haochaping.exchange.fakeremote.store import Store
from haochaping.exchange.keys import key_ring
from haochaping.exchange.rules.canonical import KIND_LABELS
from haochaping.exchange.rules.errors import ExchangeError
from haochaping.exchange.rules.profile_schema import Profile
from haochaping.exchange.rules.profiles import profile_parse, shipped_names, shipped_profile


class Command(BaseCommand):
    help = "假远端平台（对接联调与测试用）/ the fake remote platform for tests and the demo"
    requires_system_checks: list[str] = []  # no database: nothing of the project to check

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--profile", default="national",
                           help=f"a shipped profile: {', '.join(shipped_names())}")
        which.add_argument("--profile-file", type=Path,
                           help="a profile document (JSON), as an office adds one")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8710, help="0: any free port")
        parser.add_argument("--port-file", type=Path,
                            help="write the port here once listening (with --port 0)")
        parser.add_argument("--key-env", default="",
                            help="the remote's side of the keys: HCP_EXCHANGE_<NAME>_* "
                                 f"(default: the demo-only keys, as {THEIRS_ENV})")
        parser.add_argument("--seed", type=int, default=0, help="seed of the misbehaviours")
        parser.add_argument("--journal", type=Path,
                            help="append every record received to this JSON-lines file "
                                 "(and know what it holds on a restart)")
        parser.add_argument("--keys-only", action="store_true",
                            help="keep only keys, orgs and days, not the records (benchmarks)")
        parser.add_argument("--quiet", action="store_true", help="no line per request")

    def _profile(self, options: dict[str, Any]) -> Profile:
        try:
            if options["profile_file"] is not None:
                return profile_parse(orjson.loads(options["profile_file"].read_bytes()))
            if options["profile"] not in shipped_names():
                raise CommandError(f"unknown profile {options['profile']!r}: "
                                   f"{', '.join(shipped_names())}")
            return shipped_profile(options["profile"])
        except (ExchangeError, orjson.JSONDecodeError, OSError) as exc:
            raise CommandError(f"对接规范无法读取 / cannot read the profile: {exc}") from exc

    def handle(self, *args: Any, **options: Any) -> None:
        profile = self._profile(options)
        try:
            keys = key_ring(options["key_env"], profile) if options["key_env"] \
                else demo_ring("theirs")
        except ExchangeError as exc:
            raise CommandError(exc.message) from exc
        quiet = options["quiet"]

        def log(line: str) -> None:
            if not quiet:
                print(f"[fake-remote {profile.name}] {line}", flush=True)

        store = Store(keep_records=not options["keys_only"], journal=options["journal"])
        app = FakeRemote(profile, keys, store=store, seed=options["seed"], log=log)

        def ready(port: int) -> None:
            base = f"http://{options['host']}:{port}"
            lines = [f"假远端平台 fake remote · {profile.label}（{profile.name}）",
                     f"  地址 URL              {base}"]
            for kind, spec in profile.kinds.items():
                lines.append(f"  上报 {kind.value:<16} POST {base}{spec.path}"
                             f"  （{KIND_LABELS[kind]}）")
            if profile.count is not None:
                lines.append(f"  对账 count            POST {base}{profile.count.path}")
            lines += [f"  已收到 received       GET  {base}/_received",
                      f"  控制 control          POST {base}/_control",
                      "  密钥 keys             " + (f"HCP_EXCHANGE_{options['key_env'].upper()}_*"
                                                  if options["key_env"]
                                                  else "演示密钥（仅供演示）/ demo-only keys")]
            if not quiet:
                print("\n".join(lines), flush=True)

        try:
            serve(app, options["host"], options["port"], port_file=options["port_file"],
                  ready=ready)
        except KeyboardInterrupt:
            pass
        except OSError as exc:
            raise CommandError(f"无法监听 / cannot listen on {options['host']}:"
                               f"{options['port']}: {exc}") from exc
        finally:
            store.close()
            sys.stdout.flush()
