"""Which remote receives which kind (``RemoteRoute``), the table the outbox triggers read.

A profile is data the database cannot read, so what a remote receives — the kinds its
profile carries, narrowed by ``Remote.kinds``, none while it is inactive
(``rules.delivery.route_kinds``) — is written here, by :func:`routes_sync`. The periodic
delivery job calls it every few seconds (a remote changed in the admin or the shell is
routed within one period), and so does every service that changes a remote. A remote
whose profile cannot be read keeps the routes it had: its records keep accumulating
(pending) until the profile is fixed, none is lost.
"""

from __future__ import annotations

from django.db import transaction

from haochaping.exchange.models import Remote, RemoteRoute
from haochaping.exchange.remote_codec import RemoteUnusable, profile_kinds
from haochaping.exchange.rules import delivery as rules


def routes_sync(*, remote_id: int | None = None) -> int:
    """Bring the routes in line with the remotes and their profiles; how many changed."""
    remotes = Remote.objects.all() if remote_id is None else Remote.objects.filter(pk=remote_id)
    existing: dict[int, set[str]] = {}
    for rid, kind in RemoteRoute.objects.values_list("remote_id", "kind"):
        existing.setdefault(rid, set()).add(kind)
    changed = 0
    for remote in remotes:
        try:
            kinds = profile_kinds(remote) if remote.is_active else frozenset()
        except RemoteUnusable:
            continue
        wanted = {k.value for k in rules.route_kinds(kinds, list(remote.kinds),
                                                     remote.is_active)}
        have = existing.get(remote.pk, set())
        if wanted == have:
            continue
        with transaction.atomic():
            RemoteRoute.objects.filter(remote=remote).exclude(kind__in=wanted).delete()
            RemoteRoute.objects.bulk_create(
                [RemoteRoute(remote=remote, kind=k) for k in sorted(wanted - have)],
                ignore_conflicts=True)
        changed += len(wanted ^ have)
    return changed
