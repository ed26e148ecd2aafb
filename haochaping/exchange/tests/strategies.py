"""Hypothesis strategies: canonical records a given profile can carry, and key rings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from haochaping.catalog.rules.standards import CERT_TYPES, USER_PROP, Channel
from haochaping.core.localtime import SHANGHAI
from haochaping.exchange.rules.canonical import (
    ComplaintRecord,
    HandlingRecord,
    Identity,
    Kind,
    RatingRecord,
    Record,
    ResultRecord,
    Stage,
)
from haochaping.exchange.rules.fields import COMPLAINT_KINDS, IDENTITY_PREFIX
from haochaping.exchange.rules.profile_schema import KindSpec, Profile
from haochaping.exchange.rules.profiles import shipped_names, shipped_profile
from haochaping.exchange.rules.signing import KeyRing, KeySet, sm2_keypair

PROFILES = shipped_names()
KIND_PROFILES = [(name, kind) for name in PROFILES for kind in Kind
                 if shipped_profile(name).kind(kind) is not None]

# Any valid text (no lone surrogates: they have no UTF-8 form), control characters and
# every script included.
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
required_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31),
                       timezones=st.sampled_from([UTC, SHANGHAI, timezone(timedelta(hours=-5))]))
regions = st.one_of(st.from_regex(r"[1-6][0-9]{11}", fullmatch=True),
                    st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
content_codes = st.lists(st.from_regex(r"[1-5][0-9]{2}", fullmatch=True), max_size=4).map(tuple)


def identities(required: frozenset[str]) -> st.SearchStrategy[Identity]:
    """Identities; the fields in ``required`` ("name", "cert_no", …) non-empty."""
    def field(name: str) -> st.SearchStrategy[str]:
        return required_text if name in required else text
    return st.builds(
        Identity,
        user_prop=st.sampled_from([*USER_PROP, "8"]),  # "8": a code beyond the national list
        name=field("name"), cert_type=st.sampled_from([*CERT_TYPES, "414"]),
        cert_no=field("cert_no"), phone=field("phone"))


def _person(spec: KindSpec) -> st.SearchStrategy[Identity]:
    prefix = IDENTITY_PREFIX[spec.kind]
    return identities(frozenset(p.split(".", 1)[1] for p in spec.required
                                if p.startswith(prefix + ".")))


def _valued(profile: Profile, table: str, values: list[str]) -> st.SearchStrategy[str]:
    """Values of ``table`` that the profile gives a code."""
    return st.sampled_from([v for v in values if profile.tables[table].to_code(v) is not None])


def _stages() -> st.SearchStrategy[tuple[Stage, ...]]:
    stage = st.builds(Stage, code=required_text, name=text, at=moments, is_service=st.booleans())
    return st.lists(stage, max_size=3).map(tuple)


def handlings(profile: Profile) -> st.SearchStrategy[HandlingRecord]:
    spec = profile.kinds[Kind.HANDLING]
    return st.builds(
        HandlingRecord, proj_no=required_text, matter_code=required_text, matter_name=text,
        matter_version=text, org_code=required_text, org_name=text, region_code=regions,
        status=_valued(profile, "status", ["pending", "accepted", "completed"]),
        handling_type=_valued(profile, "handling_type", ["immediate", "promised"]),
        accepted_at=moments, completed_at=st.none() | moments, staff_name=text,
        applicant=_person(spec), source=text, stages=_stages())


@st.composite
def ratings(draw: st.DrawFn, profile: Profile) -> RatingRecord:
    spec = profile.kinds[Kind.RATING]
    channel = draw(_valued(profile, "channel", [c.value for c in Channel]))
    return RatingRecord(
        rating_id=draw(required_text), proj_no=draw(required_text),
        org_code=draw(required_text), region_code=draw(regions), channel=channel,
        level=draw(st.integers(1, 5)), content_codes=draw(content_codes), text=draw(text),
        assessed_at=draw(moments), assess_number=draw(st.integers(1, 2)),
        is_default=channel == Channel.DEFAULT.value, stage_code=draw(text),
        rater=draw(_person(spec)), anonymous=draw(st.booleans()), public=draw(st.booleans()),
        invalidated_at=draw(st.none() | moments), invalid_reason=draw(text))


def results(profile: Profile) -> st.SearchStrategy[ResultRecord]:
    return st.builds(
        ResultRecord, order_no=required_text, rating_id=required_text, proj_no=required_text,
        org_code=required_text, content=required_text, rectified_at=moments,
        satisfied=st.none() | st.booleans(), closed_at=moments)


def complaints(profile: Profile) -> st.SearchStrategy[ComplaintRecord]:
    spec = profile.kinds[Kind.COMPLAINT]
    return st.builds(
        ComplaintRecord, remote_id=required_text,
        kind=_valued(profile, "complaint_kind", list(COMPLAINT_KINDS)), org_code=text,
        matter_code=text, proj_no=text, content=required_text, submitter=_person(spec),
        received_at=moments, reply=text, replied_at=st.none() | moments)


def records(profile: Profile, kind: Kind) -> st.SearchStrategy[Record]:
    build = {Kind.HANDLING: handlings, Kind.RATING: ratings, Kind.RESULT: results,
             Kind.COMPLAINT: complaints}[kind]
    strategy: st.SearchStrategy[Record] = build(profile)
    return strategy


idempotency_keys = st.from_regex(r"[a-z]{4,9}:[A-Za-z0-9-]{1,20}:saved:[1-9]", fullmatch=True)


def batches(profile: Profile, kind: Kind) -> st.SearchStrategy[list[tuple[str, Record]]]:
    size = min(profile.envelope.max_items, 4)
    return st.lists(st.tuples(idempotency_keys, records(profile, kind)), min_size=1,
                    max_size=size, unique_by=lambda item: item[0])


# One SM2 pair per side, made once (pure-Python SM2 is slow).
OUR_SM2 = sm2_keypair()
THEIR_SM2 = sm2_keypair()
HMAC_KEY = b"current-secret-0123456789"
OLD_HMAC_KEY = b"previous-secret-0123456789"
SM4_KEY = bytes(range(16))


def our_ring() -> KeyRing:
    """Our side: we sign with our SM2 key, verify the remote's."""
    return KeyRing(hmac=KeySet.of(("k2", HMAC_KEY), ("k1", OLD_HMAC_KEY)),
                   sm2_private=KeySet.of(("ours-2", OUR_SM2[0])),
                   sm2_peer_public=KeySet.of(("theirs-1", THEIR_SM2[1])),
                   sm4=KeySet.of(("e1", SM4_KEY)))


def their_ring() -> KeyRing:
    """The remote's side of the same keys."""
    return KeyRing(hmac=KeySet.of(("k2", HMAC_KEY), ("k1", OLD_HMAC_KEY)),
                   sm2_private=KeySet.of(("theirs-1", THEIR_SM2[0])),
                   sm2_peer_public=KeySet.of(("ours-2", OUR_SM2[1])),
                   sm4=KeySet.of(("e1", SM4_KEY)))
