"""The one interface every privacy-number relay implements (隐私号, AXB binding: caller A
and rater B are bound to a virtual number X for a while; a call from A to X rings B, and
neither sees the other's number). One adapter per carrier platform, as 12345 systems use."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

OUTCOMES = [("answered", "已接通"), ("no_answer", "无人接听"), ("busy", "忙线"),
            ("failed", "呼叫失败")]


@dataclass(frozen=True)
class BindRequest:
    """``caller`` and ``callee`` are decrypted phones: they live only in memory for the
    call to the platform and must never be logged unmasked."""

    caller: str
    callee: str
    expires_at: datetime
    ref: str  # our binding key, so a platform can drop a duplicate request


@dataclass(frozen=True)
class BindResult:
    ok: bool
    binding_id: str = ""
    virtual_number: str = ""
    error: str = ""


@dataclass(frozen=True)
class CallRecord:
    """One call through a binding (the platform's 话单): when, how long, how it ended."""

    call_id: str
    started_at: datetime
    seconds: int
    outcome: str  # one of OUTCOMES


class TelephonyBackend(ABC):
    name: str = "abstract"

    @abstractmethod
    def bind(self, request: BindRequest) -> BindResult:
        """Bind A and B to a virtual number until ``expires_at``. Never raise for
        platform trouble: answer ``ok=False`` with a short reason."""

    @abstractmethod
    def unbind(self, binding_id: str) -> bool:
        """Release a binding before it expires; True when the platform confirmed."""

    @abstractmethod
    def calls(self, binding_id: str, bound_at: datetime) -> list[CallRecord]:
        """The calls made through a binding so far (the platform's call records)."""
