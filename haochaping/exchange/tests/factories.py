"""Factories for exchange tests: a remote and its routes."""

from __future__ import annotations

import itertools

from haochaping.exchange.models import Remote, RemoteRoute
from haochaping.exchange.rules.canonical import Kind

_seq = itertools.count(1)


def make_remote(*, kinds: tuple[Kind, ...] = (Kind.HANDLING, Kind.RATING, Kind.RESULT),
                base_url: str = "http://127.0.0.1:9/", profile: str = "national",
                **extra: object) -> Remote:
    """A remote whose routes are exactly ``kinds`` (as routes_sync would leave them for a
    profile carrying them)."""
    n = next(_seq)
    fields: dict[str, object] = {"name": f"remote{n}", "label": f"对接平台{n}",
                                 "profile": profile, "base_url": base_url,
                                 "key_env": f"R{n}", "kinds": [k.value for k in kinds]}
    fields.update(extra)
    remote = Remote.objects.create(**fields)
    RemoteRoute.objects.bulk_create([RemoteRoute(remote=remote, kind=k.value) for k in kinds])
    return remote
