"""The one interface every SMS backend implements (one adapter per gateway)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SmsMessage:
    """One message ready to send. ``to`` is the decrypted phone: it lives only in memory
    for the duration of the send and must never be logged unmasked."""

    to: str
    template: str
    template_id: str
    params: dict[str, str]
    text: str
    # Our outbox row id: a gateway that sees the same id twice (a redelivery after a
    # worker died mid-send) can drop the duplicate.
    message_id: str


@dataclass(frozen=True)
class SendResult:
    ok: bool
    retryable: bool = False
    provider_id: str = ""
    error: str = ""


@dataclass
class SentRecord:
    """What the console backend remembers of a message (for tests and the demo)."""

    to: str
    template: str
    text: str
    message_id: str
    params: dict[str, str] = field(default_factory=dict)


class SmsBackend(ABC):
    name: str = "abstract"

    @abstractmethod
    def send(self, message: SmsMessage) -> SendResult:
        """Deliver one message. Never raise for gateway trouble: answer a SendResult
        with ``retryable`` telling a transient failure from a permanent one."""
