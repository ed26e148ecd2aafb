"""Operator command for API clients: create, rotate, deactivate, list.

    haochaping manage api_client create --name 评价器 --org CITYOFFICE --scopes device
    haochaping manage api_client rotate --prefix 1a2b3c4d5e6f --grace-hours 24
    haochaping manage api_client deactivate --prefix 1a2b3c4d5e6f
    haochaping manage api_client list

A new key is printed once; only its SHA-256 hash is stored.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haochaping.accounts import rules, services
from haochaping.accounts.models import ApiClient
from haochaping.accounts.orgs import org_find
from haochaping.accounts.scoping import security_actor
from haochaping.core.errors import AppError

ACTOR_LABEL = "cli:api_client"


class Command(BaseCommand):
    help = "Manage API clients (create / rotate / deactivate / list)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a client and print its key once")
        create.add_argument("--name", required=True)
        create.add_argument("--org", required=True, help="org code (机构编码)")
        create.add_argument("--scopes", required=True,
                            help="comma-separated: " + ", ".join(rules.CLIENT_SCOPES))
        create.add_argument("--rate-limit", type=int, default=600,
                            help="requests per minute (default 600)")
        rotate = sub.add_parser("rotate", help="issue a new key; the old one keeps working "
                                               "for --grace-hours")
        rotate.add_argument("--prefix", required=True, help="current key prefix")
        rotate.add_argument("--grace-hours", type=int, default=24)
        deactivate = sub.add_parser("deactivate", help="disable a client and both its keys")
        deactivate.add_argument("--prefix", required=True, help="current key prefix")
        sub.add_parser("list", help="list clients (no secrets)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except AppError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc

    def _client(self, prefix: str) -> ApiClient:
        client = ApiClient.objects.select_related("org").filter(key_prefix=prefix).first()
        if client is None:
            raise CommandError(f"no client with key prefix {prefix!r}")
        return client

    def _create(self, options: dict[str, Any]) -> None:
        org = org_find(code=options["org"])
        if org is None:
            raise CommandError(f"no org with code {options['org']!r}")
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        client, key = services.api_client_create(
            actor=security_actor(ACTOR_LABEL), name=options["name"], org=org, scopes=scopes,
            rate_limit_per_minute=options["rate_limit"])
        self.stdout.write(f"created client {client.pk} ({client.name}), prefix "
                          f"{client.key_prefix}")
        self.stdout.write(f"key (shown once, store it now): {key}")

    def _rotate(self, options: dict[str, Any]) -> None:
        client, key = services.api_client_rotate(
            actor=security_actor(ACTOR_LABEL), client=self._client(options["prefix"]),
            grace_hours=options["grace_hours"])
        self.stdout.write(f"rotated client {client.pk} ({client.name}); old key valid until "
                          f"{client.previous_valid_until:%Y-%m-%d %H:%M %Z}")
        self.stdout.write(f"new key (shown once, store it now): {key}")

    def _deactivate(self, options: dict[str, Any]) -> None:
        client = services.api_client_deactivate(actor=security_actor(ACTOR_LABEL),
                                                client=self._client(options["prefix"]))
        self.stdout.write(f"deactivated client {client.pk} ({client.name})")

    def _list(self, options: dict[str, Any]) -> None:
        for c in ApiClient.objects.select_related("org").order_by("name", "pk"):
            state = "active" if c.is_active else "inactive"
            self.stdout.write(f"{c.pk}\t{c.key_prefix}\t{state}\t{c.org.code}\t"
                              f"{','.join(c.scopes)}\t{c.rate_limit_per_minute}/min\t{c.name}")
