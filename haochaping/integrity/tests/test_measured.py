"""Measured (issue 15): clean ratings with one planted case of every signal, the scan run,
precision and recall per signal PRINTED (run with ``-s``), every planted case found and
at most ``MAX_CLEAN_FP`` of the clean ratings flagged by any signal.

    HCP_TEST_PASS=sqlite pytest -s haochaping/integrity/tests/test_measured.py
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from haochaping.demo.integrity import measure, table
from haochaping.integrity.models import Flag
from haochaping.integrity.services import scan
from haochaping.integrity.tests.conftest import make_clean, make_planted

pytestmark = pytest.mark.django_db
MAX_CLEAN_FP = 0.01  # at most 1% of the clean ratings flagged


def test_planted_fraud_is_found_with_few_false_positives(ig: SimpleNamespace) -> None:
    clean = make_clean(ig)
    planted = make_planted(ig)
    scan(now=ig.now)
    report = measure(planted)
    print("\n" + table(report, len(clean)))
    for signal, row in report.items():
        assert row["found"] == row["planted"], f"{signal}: a planted case was missed"
    flagged_clean = set(Flag.objects.filter(evaluation_id__in=clean)
                        .values_list("evaluation_id", flat=True))
    share = len(flagged_clean) / len(clean)
    print(f"clean ratings flagged by any signal: {len(flagged_clean)} of {len(clean)} "
          f"({share:.1%}, allowed {MAX_CLEAN_FP:.0%})")
    assert share <= MAX_CLEAN_FP
