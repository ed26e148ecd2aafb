"""Evaluation endpoints: channel 6 (the locality's app / mini program posting ratings for
raters it has authenticated, API key with scope ``evaluations:write``) and channel 5
(phone invitation entered by a logged-in supervising-office user).

Mounted at ``/api/v1/evaluations``; ``raters_router`` at ``/api/v1/raters``.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from haochaping.accounts.auth import actor_of, api_auth, api_key_auth, require_scope, session_auth
from haochaping.accounts.scoping import scope
from haochaping.catalog.rules.standards import Channel
from haochaping.catalog.selectors.standards import active_standard
from haochaping.core.bounds import Id
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import AppError, NotFound, PermissionDenied
from haochaping.evaluations import schemas as s
from haochaping.evaluations.locking import Locked, lock_by_proj_no
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.selectors import (
    rater_handlings,
    raters_matching,
    standard_form,
    unrated_handlings,
)
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.throttle import throttle
from haochaping.handlings.models import Handling, Rater

WRITE_SCOPE = "evaluations:write"

router = Router(tags=["evaluations"])
raters_router = Router(tags=["evaluations"])


def _rating(body: s.RatingFields) -> RatingInput:
    return RatingInput(level=body.level, item_levels=dict(body.item_levels),
                       content_codes=list(body.content_codes),
                       reason_codes=list(body.reason_codes), text=body.text)


def _client_facts(request: HttpRequest) -> dict[str, Any]:
    return {"ip": client_ip_or_none(request),
            "user_agent": request.headers.get("User-Agent", "")[:300]}


def _same(index: str, stored: str) -> bool:
    return bool(stored) and hmac.compare_digest(index, stored)


def rater_matches(rater: Rater, given: s.RaterIn) -> bool:
    """Does the identity the app authenticated match the handling's rater? Compared as
    blind indexes, so no plaintext is decrypted for the check."""
    from haochaping.vault import blind_index

    if given.id_no:
        return given.id_type == rater.id_type and _same(blind_index("id_no", given.id_no),
                                                        rater.id_no_index)
    return _same(blind_index("phone", given.phone), rater.phone_index)


NOTICE = ("评价前须向评价人展示《个人信息保护告知》（`GET /yinsi/`，现行版本由 "
          "`HCP_PRIVACY_NOTICE_VERSION` 设定）；每条评价记录其版本（`notice_version`）。")


@router.post("", response={201: list[s.EvaluationOut]}, auth=[api_key_auth],
             description=NOTICE)
def submit(request: HttpRequest, body: s.AppRatingIn) -> Any:
    actor = require_scope(request, WRITE_SCOPE)

    def locate() -> Locked:
        """In the rating's transaction: find and lock the handling, then check that the
        rater the app authenticated is its applicant."""
        locked = lock_by_proj_no(actor, body.proj_no, body.client_system)
        throttle("rater", locked.handling.rater_id)
        if not rater_matches(locked.handling.rater, body.rater):
            raise PermissionDenied("evaluation.rater_mismatch", "评价人与办件申请人不一致",
                                   "rater")
        return locked

    rows = evaluation_submit(locate=locate, rating=_rating(body), channel=Channel(body.channel),
                             for_batch=body.for_batch, client=actor.client,
                             stage=body.stage, **_client_facts(request))
    return 201, rows


@router.get("/standard", auth=api_auth)
def standard(request: HttpRequest) -> Any:
    actor_of(request)
    return standard_form(active_standard())


@router.post("/phone", response={201: list[s.EvaluationOut]}, auth=[session_auth])
def submit_phone(request: HttpRequest, body: s.PhoneRatingIn) -> Any:
    actor = actor_of(request)
    throttle("user", actor.user.pk)
    handling = scope(Handling.objects.select_related("org"), actor).filter(
        pk=body.handling_id).first()
    if handling is None:
        raise NotFound("handling.not_found", "办件不存在", "handling_id")
    rows = evaluation_submit(handling=handling, rating=_rating(body), channel=Channel.PHONE,
                             entered_by=actor.user, **_client_facts(request))
    return 201, rows


@router.get("/phone/unrated", response=list[s.UnratedHandlingOut], auth=[session_auth])
def phone_unrated(request: HttpRequest, org_id: Id | None = None) -> Any:
    return unrated_handlings(actor_of(request), now=timezone.now(), org_id=org_id)


@raters_router.post("/handlings", response=list[s.RaterHandlingOut], auth=[api_key_auth])
def handlings_of_rater(request: HttpRequest, body: s.RaterLookupIn) -> Any:
    """The rater's recent handlings. The phone and ID number come in the body, never in
    the URL (issue 17): URLs reach access logs, proxies and histories."""
    actor = require_scope(request, WRITE_SCOPE)
    if not body.id_no and not body.phone:
        raise AppError("invalid_request", "请提供证件号码或手机号", "id_no", status=422)
    ids = raters_matching(id_type=body.id_type, id_no=body.id_no, phone=body.phone)
    return rater_handlings(actor, rater_ids=ids, now=timezone.now())


@raters_router.get("/handlings", auth=None, include_in_schema=False)
def handlings_of_rater_by_url(request: HttpRequest) -> Any:
    """The former GET: refused whatever it carries (a query string with a phone or an ID
    number is refused earlier, by ``core.edge``), and nothing in it is read."""
    raise AppError("request.personal_data_in_url",
                   "手机号码、证件号码等个人信息不得放在网址中，请改用 POST 请求体提交",
                   status=400)
