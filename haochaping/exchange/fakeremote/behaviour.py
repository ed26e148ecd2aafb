"""The fake remote's script: how it misbehaves, set over ``POST /_control``. Pure.

Every random choice comes from one ``random.Random(seed)`` (the app draws under its
lock), so a run with the same seed and the same requests in the same order answers the
same way. ``fail_next`` and ``refuse_keys`` involve no chance at all: tests that must
not depend on the order of concurrent requests use them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

# Ways of being down: answer 503 to every protocol request; reset every connection
# without an answer; or close the listening socket (connections refused) for a while.
DOWN_MODES = ("", "503", "reset", "refuse")
# HTTP statuses a failing request may get (what delivery must retry).
FAIL_STATUSES = (500, 502, 503, 504, 408, 429)
DEFAULT_REFUSE_CODE = "E_FAKE_REFUSED"


class ControlError(ValueError):
    """A control call that cannot be applied (answered 400 with ``field``)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Behaviour:
    seed: int = 0
    delay_ms: int = 0  # every protocol answer waits this long (a slow remote)
    fail_rate: float = 0.0  # share of protocol requests answered ``fail_status``
    fail_status: int = 500
    fail_next: int = 0  # the next n protocol requests fail, whatever the rate
    down: str = ""  # one of DOWN_MODES; "" = up
    down_seconds: float | None = None  # how long; None = until told ``{"down": ""}``
    drop_rate: float = 0.0  # share of items stored but never acknowledged
    duplicate_rate: float = 0.0  # share of items acknowledged twice; batches sent twice
    shuffle: bool = False  # acknowledgements in a shuffled order
    garble_rate: float = 0.0  # share of answers replaced by unreadable ones (HTTP 200)
    refuse_keys: frozenset[str] = field(default_factory=frozenset)  # refused, never stored
    refuse_code: str = DEFAULT_REFUSE_CODE
    clock_offset_seconds: float = 0.0  # the remote's clock runs this far ahead of ours

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["refuse_keys"] = sorted(self.refuse_keys)
        return data


def _rate(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ControlError(f"{name} 应为 0 到 1 之间的数", name)
    return float(value)


def _int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ControlError(f"{name} 应为 {low} 到 {high} 之间的整数", name)
    return value


def _seconds(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ControlError(f"{name} 应为非负秒数或 null", name)
    return float(value)


def _choice(options: tuple[Any, ...]) -> Callable[[str, object], Any]:
    def check(name: str, value: object) -> Any:
        if value not in options:
            raise ControlError(f"{name} 应为 {options} 之一", name)
        return value
    return check


def _offset(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f"{name} 应为秒数", name)
    return float(value)


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ControlError(f"{name} 应为 true 或 false", name)
    return value


def _keys(name: str, value: object) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise ControlError(f"{name} 应为幂等键的列表", name)
    return frozenset(value)


# Each control field and the check that reads its value.
_FIELDS: dict[str, Callable[[str, object], Any]] = {
    "seed": lambda n, v: _int(n, v, 0, 2**31 - 1),
    "delay_ms": lambda n, v: _int(n, v, 0, 10**7),
    "fail_next": lambda n, v: _int(n, v, 0, 10**7),
    "fail_rate": _rate, "drop_rate": _rate, "duplicate_rate": _rate, "garble_rate": _rate,
    "fail_status": _choice(FAIL_STATUSES), "down": _choice(DOWN_MODES),
    "down_seconds": _seconds, "clock_offset_seconds": _offset, "shuffle": _flag,
    "refuse_keys": _keys,
}


def behaviour_update(current: Behaviour, data: object, ok_codes: tuple[str, ...]) -> Behaviour:
    """``current`` changed by the fields of a control call (``{"reset": true}`` first
    goes back to the defaults). ControlError names the field at fault; nothing changes."""
    if not isinstance(data, dict):
        raise ControlError("控制指令应为 JSON 对象", "body")
    base = Behaviour() if data.get("reset") is True else current
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name == "reset":
            continue
        if name == "refuse_code":
            if not isinstance(value, str) or not value or value in ok_codes:
                raise ControlError("refuse_code 应为非成功的结果码", name)
            changes[name] = value
        elif name in _FIELDS:
            changes[name] = _FIELDS[name](name, value)
        else:
            raise ControlError(f"未知的控制项 {name}", name)
    updated = replace(base, **changes)
    if updated.down == "refuse" and updated.down_seconds is None:
        raise ControlError("拒绝连接（refuse）须给出 down_seconds：停止监听期间控制接口也无法访问",
                           "down_seconds")
    return updated


@dataclass(frozen=True)
class Fate:
    """What happens to one protocol request before it is read: ``status`` 0 = proceed."""

    status: int = 0
    reset: bool = False
    garble: bool = False  # read and store the request, answer with something unreadable


def request_fate(behaviour: Behaviour, down_active: bool, rng: random.Random) -> tuple[Fate, int]:
    """The fate of the next protocol request and the ``fail_next`` left after it."""
    if down_active and behaviour.down == "reset":
        return Fate(reset=True), behaviour.fail_next
    if down_active and behaviour.down in ("503", "refuse"):
        return Fate(status=503), behaviour.fail_next
    if behaviour.fail_next > 0:
        return Fate(status=behaviour.fail_status), behaviour.fail_next - 1
    if behaviour.fail_rate and rng.random() < behaviour.fail_rate:
        return Fate(status=behaviour.fail_status), 0
    if behaviour.garble_rate and rng.random() < behaviour.garble_rate:
        return Fate(garble=True), 0
    return Fate(), 0


def item_fates(behaviour: Behaviour, count: int, rng: random.Random) -> list[tuple[bool, bool]]:
    """For each of ``count`` accepted items: (dropped, duplicated)."""
    out: list[tuple[bool, bool]] = []
    for _ in range(count):
        dropped = bool(behaviour.drop_rate) and rng.random() < behaviour.drop_rate
        duplicated = (not dropped and bool(behaviour.duplicate_rate)
                      and rng.random() < behaviour.duplicate_rate)
        out.append((dropped, duplicated))
    return out
