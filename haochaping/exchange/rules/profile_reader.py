"""Reading a profile document key by key, with the path of every value for its errors.

Every section is read through a :class:`Section`: a key it did not ask for is an error
(a typo must not pass silently), and every error names the dotted path of the bad key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from haochaping.exchange.rules.errors import ProfileError

MISSING_KEY = "exchange.profile.missing_key"
UNKNOWN_KEY = "exchange.profile.unknown_key"
BAD_VALUE = "exchange.profile.bad_value"
DUPLICATE_NAME = "exchange.profile.duplicate_name"

_MISSING: Any = object()
REQUIRED_KEY: Any = _MISSING


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def bad(path: str, reason: str) -> ProfileError:
    return ProfileError(BAD_VALUE, f"对接规范配置项 “{path or '（根）'}” 无效：{reason}", path)


class Section:
    """One JSON object of the document."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise bad(path, "应为 JSON 对象")
        self.data: Mapping[str, Any] = data
        self.path = path
        self._read: set[str] = set()

    def at(self, key: str) -> str:
        return join(self.path, key)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        self._read.add(key)
        if key not in self.data:
            if default is _MISSING:
                raise ProfileError(MISSING_KEY, f"对接规范缺少配置项 “{self.at(key)}”",
                                   self.at(key))
            return default
        return self.data[key]

    def text(self, key: str, default: Any = _MISSING, *, empty: bool = False) -> str:
        value = self.raw(key, default)
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise bad(self.at(key), "应为非空字符串" if not empty else "应为字符串")
        return value

    def opt_text(self, key: str, default: Any = None) -> str | None:
        """A non-empty string or null; with ``default`` left as _MISSING the key must be
        there (null stated, not forgotten)."""
        value = self.raw(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise bad(self.at(key), "应为非空字符串或 null")
        return value

    def choice(self, key: str, allowed: tuple[str, ...], default: Any = _MISSING) -> str:
        value = self.raw(key, default)
        if value not in allowed:
            raise bad(self.at(key), f"应为 {'、'.join(allowed)} 之一")
        return str(value)

    def integer(self, key: str, low: int, high: int, default: Any = _MISSING) -> int:
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise bad(self.at(key), f"应为 {low} 到 {high} 之间的整数")
        return int(value)

    def boolean(self, key: str, default: Any = _MISSING) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise bad(self.at(key), "应为 true 或 false")
        return value

    def texts(self, key: str, default: Any = _MISSING) -> tuple[str, ...]:
        value = self.raw(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise bad(self.at(key), "应为字符串列表")
        return tuple(value)

    def section(self, key: str, default: Any = _MISSING) -> Section:
        return Section(self.raw(key, default), self.at(key))

    def done(self) -> None:
        """Refuse the keys nobody asked for."""
        for key in self.data:
            if key not in self._read:
                raise ProfileError(UNKNOWN_KEY, f"对接规范含有未知的配置项 “{self.at(key)}”",
                                   self.at(key))


def check_name(value: object, path: str) -> str:
    """A remote field or header name: printable ASCII without spaces or dots."""
    if not isinstance(value, str) or not value or not value.isascii() \
            or not value.isprintable() or any(c in value for c in " .\"'"):
        raise bad(path, "字段名应为不含空格和点号的 ASCII 字符串")
    return value
