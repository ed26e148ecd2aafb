"""Demo-only exchange keys: fixed, public, for the demo, the tests and the benchmarks.

NEVER use them with a real platform: they are printed in this file. ``make run`` exports
them (``python -m haochaping.exchange.fakeremote.demokeys`` prints the ``export`` lines)
so the demo's ``Remote`` (key env ``DEMO``) and the fake remote beside it (key env
``DEMO_REMOTE``, the other side of the same keys) can talk; the fake remote and
``exchange check`` use them when no ``--key-env`` is given, and say so.

HMAC and SM4 keys are shared, so both sides hold the same; each side has its own SM2 pair
and the other's public key.
"""

from __future__ import annotations

from haochaping.exchange.keys import PURPOSES, env_name, key_set
from haochaping.exchange.rules.signing import KeyRing

OURS_ENV = "DEMO"  # our side: the demo's Remote row names it
THEIRS_ENV = "DEMO_REMOTE"  # the fake remote's side

_HMAC = "demo-1:demo-only-exchange-hmac-key-not-a-secret"
_SM4 = "demo-e1:00112233445566778899aabbccddeeff"
_OUR_SM2 = ("eeb52a5537a15732678fac7c7f37be836956c9700d6ee458bd3376c04c3b59f8",
            "9bb8674cb2d42fef01b709c191b9d944e51551c0c043b2464245de87a5e38af3"
            "3d0c44b6c8d68b1f9e23d4ebb02e307f62778bc4f2aab0b4571ee0fab0421bbf")
_THEIR_SM2 = ("317a70073cd2f56667c8cbf38cc4f6444d608b7575287a21edafa6ca5b753923",
              "989c16eb701eab46ec3d03f6873abbaa42632984d6fc6c4ff0c4ac5e43964c5b"
              "a0dd5cccc66579c970bcebfb5cc97fb4fb38f84cc02cfdec9cef3a2d0f5fd2b3")


def _values(side: str) -> dict[str, str]:
    mine, other = (_OUR_SM2, _THEIR_SM2) if side == "ours" else (_THEIR_SM2, _OUR_SM2)
    mine_id, other_id = ("demo-ours", "demo-theirs") if side == "ours" \
        else ("demo-theirs", "demo-ours")
    return {"HMAC": _HMAC, "SM4": _SM4, "SM2_PRIVATE": f"{mine_id}:{mine[0]}",
            "SM2_PEER_PUBLIC": f"{other_id}:{other[1]}"}


def demo_ring(side: str) -> KeyRing:
    """The demo key ring of ``side``: "ours" (the platform) or "theirs" (the remote)."""
    if side not in ("ours", "theirs"):
        raise ValueError("side is 'ours' or 'theirs'")
    sets = {p: key_set(f"demo {side} {p}", p, v) for p, v in _values(side).items()}
    return KeyRing(hmac=sets["HMAC"], sm4=sets["SM4"], sm2_private=sets["SM2_PRIVATE"],
                   sm2_peer_public=sets["SM2_PEER_PUBLIC"])


def demo_secrets() -> tuple[str, ...]:
    """The secret parts of the demo keys (without their key ids, which an operator may have
    renamed): what production must never hold (start-up check ``haochaping.E011``)."""
    return (_HMAC.split(":", 1)[1], _SM4.split(":", 1)[1], _OUR_SM2[0], _THEIR_SM2[0])


def demo_environ() -> dict[str, str]:
    """The environment variables of both sides' demo keys."""
    out = {}
    for key_env, side in ((OURS_ENV, "ours"), (THEIRS_ENV, "theirs")):
        values = _values(side)
        out.update({env_name(key_env, p): values[p] for p in PURPOSES})
    return out


if __name__ == "__main__":
    for name, value in demo_environ().items():
        print(f"export {name}={value}")  # noqa: T201 - the shell reads these lines
