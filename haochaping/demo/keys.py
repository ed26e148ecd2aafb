"""Demo API-client and device keys that ``demo_info`` can print again later.

The accounts and evaluations services create keys at random and show them once. The demo
needs to print a key for curl and for the pad page at every ``make run``, so after creating
a client or device through its service it replaces the key with one derived from the
deployment's SECRET_KEY and the demo seed (HMAC-SHA512, same ``hcp_<prefix>_<secret>``
format and SHA-256 hash as real keys), and records the replacement in the audit log.
Nothing secret is stored; the key cannot be guessed without SECRET_KEY. The demo refuses
to run with HCP_ENV=production.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings

from haochaping.accounts import rules
from haochaping.accounts.keys import NewKey
from haochaping.audit.models import AuditEvent

_DOMAIN = "haochaping.demo.key.v1"


def demo_key(seed: int, purpose: str) -> NewKey:
    """The demo key for ``purpose`` ("client:intake", "device:<window code>" …)."""
    digest = hmac.new(settings.SECRET_KEY.encode("utf-8"),
                      f"{_DOMAIN}:{seed}:{purpose}".encode(), hashlib.sha512).digest()
    prefix = digest[: rules.PREFIX_HEX_CHARS // 2].hex()
    secret = base64.urlsafe_b64encode(digest[16:48]).rstrip(b"=").decode("ascii")
    raw = rules.format_key(prefix, secret)
    return NewKey(raw=raw, prefix=prefix, hash=rules.hash_key(raw))


def demo_seed() -> int | None:
    """The seed of the demo in this database (recorded by the ``demo.build`` audit row)."""
    after = (AuditEvent.objects.filter(action="demo.build").order_by("-seq")
             .values_list("after", flat=True).first())
    if not isinstance(after, dict) or not isinstance(after.get("seed"), int):
        return None
    return int(after["seed"])
