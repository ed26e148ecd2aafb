"""Test and demo relays. ``fake``: deterministic, nothing leaves the process; the virtual
number and the call record follow from the binding, so tests and the demo can show them
(the bindings and calls themselves are stored by ``notify.services.relay`` in the
database, as with every backend). ``console``: the same, plus a masked log line per
binding, for the demo. Production refuses both (core.checks)."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import ClassVar

from haochaping.notify.telephony.base import (
    BindRequest,
    BindResult,
    CallRecord,
    TelephonyBackend,
)
from haochaping.vault import mask_phone

logger = logging.getLogger("haochaping.notify.telephony")


def _digits(text: str, count: int) -> str:
    value = int(hashlib.sha256(text.encode()).hexdigest(), 16)
    return str(value % 10**count).zfill(count)


class FakeTelephony(TelephonyBackend):
    name = "fake"
    # Tests set this to make every binding fail (the platform down or out of numbers).
    failing: ClassVar[bool] = False
    # Tests and the demo read the bindings made (binding id → callee), like the SMS
    # console's ``sent``; never logged.
    bound: ClassVar[dict[str, str]] = {}

    def bind(self, request: BindRequest) -> BindResult:
        if FakeTelephony.failing:
            return BindResult(ok=False, error="隐私号平台暂不可用")
        binding_id = "fx-" + _digits(f"{request.ref}|{request.caller}|{request.callee}", 12)
        FakeTelephony.bound[binding_id] = request.callee
        return BindResult(ok=True, binding_id=binding_id,
                          virtual_number="170" + _digits(binding_id, 8))

    def unbind(self, binding_id: str) -> bool:
        FakeTelephony.bound.pop(binding_id, None)
        return True

    def calls(self, binding_id: str, bound_at: datetime) -> list[CallRecord]:
        """One completed call, two minutes after the binding, 1 to 5 minutes long."""
        seconds = 60 + int(_digits(binding_id, 3)) % 240
        return [CallRecord(call_id=f"{binding_id}-1", started_at=bound_at + timedelta(minutes=2),
                           seconds=seconds, outcome="answered")]


class ConsoleTelephony(FakeTelephony):
    name = "console"

    def bind(self, request: BindRequest) -> BindResult:
        result = super().bind(request)
        logger.info("隐私号绑定 %s：%s ↔ %s → %s（至 %s）", result.binding_id or "失败",
                       mask_phone(request.caller), mask_phone(request.callee),
                       result.virtual_number or result.error, request.expires_at.isoformat())
        return result


class NoTelephony(TelephonyBackend):
    """``off``: no relay platform in this deployment. Every binding fails, so the
    call-back falls back to the audited, once-per-order reveal (docs/privacy.md)."""

    name = "off"

    def bind(self, request: BindRequest) -> BindResult:
        return BindResult(ok=False, error="本部署未接入隐私号平台")

    def unbind(self, binding_id: str) -> bool:
        return False

    def calls(self, binding_id: str, bound_at: datetime) -> list[CallRecord]:
        return []
