"""A remote's codec: its profile (``profiles_store.profile_get``: an office's
``ProfileDoc`` of that name, else the shipped one), its key ring from the environment
(``keys.key_ring``), and the pure codec functions (``rules.codec``) bound to both — what
the delivery needs of a remote, in one place.

A remote whose profile is unknown or invalid, or whose keys are missing, is
:class:`RemoteUnusable` (a Chinese message for the office screen): its records wait,
pending, and burn no attempt until the configuration is fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from haochaping.core.errors import NotFound
from haochaping.exchange import keys
from haochaping.exchange.models import Remote
from haochaping.exchange.profiles_store import profile_get
from haochaping.exchange.rules import codec
from haochaping.exchange.rules.canonical import Ack, Kind, Record
from haochaping.exchange.rules.codec import CodecError, RecordRefused, SignedRequest
from haochaping.exchange.rules.errors import KeyConfigError, ProfileError
from haochaping.exchange.rules.fields import identity_paths
from haochaping.exchange.rules.profile_schema import Profile
from haochaping.exchange.rules.signing import KeyRing

__all__ = ["CodecError", "RecordRefused", "RemoteCodec", "RemoteUnusable", "SignedRequest",
           "codec_for", "profile_kinds", "profile_of"]

# canonical identity attribute → the vault field that holds it encrypted
VAULT_FIELDS: dict[str, str] = {"name": "name", "cert_no": "id_no", "phone": "phone"}


class RemoteUnusable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def profile_of(remote: Remote) -> Profile:
    try:
        return profile_get(remote.profile)
    except (NotFound, ProfileError) as exc:
        raise RemoteUnusable(f"对接规范“{remote.profile}”不可用：{exc.message}") from None


def profile_kinds(remote: Remote) -> frozenset[Kind]:
    return frozenset(profile_of(remote).kinds)


@dataclass(frozen=True)
class RemoteCodec:
    profile: Profile
    keys: KeyRing

    @property
    def batch_max(self) -> int:
        return int(self.profile.envelope.max_items)

    def identity_fields(self, kind: Kind) -> tuple[str, ...]:
        """The vault fields this profile sends for ``kind`` (only those are decrypted)."""
        spec = self.profile.kind(kind)
        if spec is None:
            return ()
        wanted = []
        for path in identity_paths(kind):
            mapped = spec.fields.get(path)
            attribute = path.rsplit(".", 1)[-1]
            if mapped is not None and mapped.name is not None and attribute in VAULT_FIELDS:
                wanted.append(VAULT_FIELDS[attribute])
        return tuple(dict.fromkeys(wanted))

    def encode(self, kind: Kind, items: Sequence[tuple[str, Record]], *, now: datetime,
               nonce: str) -> SignedRequest:
        return codec.encode_batch(self.profile, kind, list(items), keys=self.keys, now=now,
                                  nonce=nonce)

    def decode(self, kind: Kind, status: int, body: bytes) -> list[Ack]:
        return list(codec.decode_acks(self.profile, kind, status, body))


def codec_for(remote: Remote) -> RemoteCodec:
    profile = profile_of(remote)
    try:
        ring = keys.key_ring(remote.key_env, profile)
    except KeyConfigError as exc:
        raise RemoteUnusable(f"对接平台“{remote.label}”的密钥配置有误：{exc.message}") from None
    return RemoteCodec(profile=profile, keys=ring)
