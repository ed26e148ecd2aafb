"""Builders for the notify tests: an API client, a rater with a phone, handlings."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from types import SimpleNamespace

from haochaping.accounts.models import ApiClient
from haochaping.handlings.models import Handling, Rater
from haochaping.vault.services import rater_upsert

_seq = itertools.count(1)
PHONE = "13800138000"


def make_client(locality: SimpleNamespace) -> ApiClient:
    n = next(_seq)
    return ApiClient.objects.create(name=f"业务系统{n}", org=locality.market,
                                    scopes=["handlings:write"], key_prefix=f"nt{n:06d}",
                                    key_hash="0" * 64)


def make_rater(phone: str = PHONE, name: str = "张晓明") -> Rater:
    return rater_upsert(kind="1", name=name, id_type="111", id_no="", phone=phone)


def make_completed(locality: SimpleNamespace, *, client: ApiClient, rater: Rater,
                   completed_at: datetime, batch_no: str = "") -> Handling:
    """A completed, unrated handling with the deadlines the intake stores (seed 003 §9:
    SMS after 24 h; supplementary window and default rating after 7 days)."""
    return Handling.objects.create(
        client=client, proj_no=f"P{next(_seq):08d}", matter=locality.matter,
        org=locality.market, hall=locality.hall, window=locality.window,
        staff=locality.staff, rater=rater, service_channel="offline", status="completed",
        batch_no=batch_no, accepted_at=completed_at - timedelta(hours=1),
        completed_at=completed_at, content_hash="0" * 64,
        invite_due_at=completed_at + timedelta(hours=24),
        default_due_at=completed_at + timedelta(days=7),
        rating_closes_at=completed_at + timedelta(days=7))
