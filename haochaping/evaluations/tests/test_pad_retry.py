"""The evaluator pad sends a rating again after a network drop or a reload with the same
``Idempotency-Key`` (issue 16): a retry of a rating that landed replays its answer instead
of a refusal, and never records a second rating. SQLite and PostgreSQL."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import timezone

from haochaping.core.models import IdempotentRequest
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests.factories import snapshot
from haochaping.evaluations.tests.test_pad_views import bound, pad  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

BAD = {"level": "1", "reason": ["108"]}


def test_a_retry_replays_the_first_answer(pad: SimpleNamespace,  # noqa: F811
                                          world: SimpleNamespace) -> None:
    handling = world.handling(completed_at=timezone.now())
    client = bound(pad.key)
    body = {"handling": handling.pk, **BAD}
    first = client.post("/pad/rate", body, HTTP_HX_REQUEST="true",
                        HTTP_IDEMPOTENCY_KEY="pad-7f3a")
    html = first.content.decode()
    assert first.status_code == 200
    assert 'data-screen="thanks"' in html
    assert 'data-bad="1"' in html  # the closing words of a 差评: reference and deadline
    assert "感谢您的好评" not in html
    assert Evaluation.objects.filter(handling=handling).count() == 1
    before = snapshot()
    again = client.post("/pad/rate", body, HTTP_HX_REQUEST="true",
                        HTTP_IDEMPOTENCY_KEY="pad-7f3a")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert snapshot() == before
    # without the key (or with another one) the same rating is refused: rated already
    other = client.post("/pad/rate", body, HTTP_HX_REQUEST="true",
                        HTTP_IDEMPOTENCY_KEY="pad-other")
    assert other.status_code == 409
    assert Evaluation.objects.filter(handling=handling).count() == 1


def test_the_key_is_the_devices_own(pad: SimpleNamespace,  # noqa: F811
                                    world: SimpleNamespace) -> None:
    handling = world.handling(completed_at=timezone.now())
    bound(pad.key).post("/pad/rate", {"handling": handling.pk, "level": "5"},
                        HTTP_HX_REQUEST="true", HTTP_IDEMPOTENCY_KEY="k1")
    row = IdempotentRequest.objects.get()
    assert (row.scope, row.key) == (f"device:{pad.device.pk}", "k1")


def test_a_refused_rating_is_not_kept_as_an_answer_to_replay_wrongly(
        pad: SimpleNamespace, world: SimpleNamespace) -> None:  # noqa: F811
    """A 422 (no reason) is kept and replayed as it was for that exact body; the pad
    sends a corrected rating with a new key, which is recorded."""
    handling = world.handling(completed_at=timezone.now())
    client = bound(pad.key)
    refused = client.post("/pad/rate", {"handling": handling.pk, "level": "1"},
                          HTTP_HX_REQUEST="true", HTTP_IDEMPOTENCY_KEY="k-bad")
    assert refused.status_code == 422
    assert not Evaluation.objects.filter(handling=handling).exists()
    reused = client.post("/pad/rate", {"handling": handling.pk, **BAD},
                         HTTP_HX_REQUEST="true", HTTP_IDEMPOTENCY_KEY="k-bad")
    assert reused.status_code == 422
    assert b"idempotency.key_reused" in reused.content
    fixed = client.post("/pad/rate", {"handling": handling.pk, **BAD},
                        HTTP_HX_REQUEST="true", HTTP_IDEMPOTENCY_KEY="k-good")
    assert fixed.status_code == 200
    assert Evaluation.objects.filter(handling=handling).count() == 1
