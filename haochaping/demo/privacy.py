"""The demo's retention purge (docs/privacy.md): a few applicants whose last contact with
the hall was four years ago, past the three years of ``retention_identity``, erased by the
same purge the daily job runs. The screen 个人信息清单 (``/work/privacy/``) counts them;
the admin's rater list shows their masks as 已清除."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from haochaping.demo.names import NameMaker
from haochaping.demo.people import ApplicantMaker
from haochaping.vault import purge
from haochaping.vault.models import Rater
from haochaping.vault.retention import BATCH_SIZE, cutoff_of
from haochaping.vault.services import identity_index_of, raters_upsert

OLD_RATERS = 6
LONG_AGO = timedelta(days=4 * 365)


def build_purged_raters(*, names: NameMaker, seed: int, now: datetime,
                        step: Callable[[str], None]) -> dict[str, int]:
    rng = random.Random(seed + 17)
    make = ApplicantMaker(rng, names, {})  # district names serve entities only
    applicants = [make.person() for _ in range(OLD_RATERS)]
    ids = raters_upsert({identity_index_of(a): a for a in applicants})
    then = now - LONG_AGO
    Rater.objects.filter(pk__in=ids.values()).update(created_at=then, updated_at=then)
    # The raters' purger alone: the six-month history's SMS stay as the other screens show.
    _, cutoff = cutoff_of(purge.POLICY_KEY, now)
    purged = purge.raters_purge(cutoff, BATCH_SIZE, False)
    step(f"  {purged} 名超过保存期限的评价人身份信息已清除")
    return {"purged_raters": purged}
