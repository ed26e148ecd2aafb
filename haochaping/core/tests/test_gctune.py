import gc
from collections.abc import Iterator

import pytest

from haochaping.core.gctune import DEFAULT_THRESHOLD, tune_gc


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_tune_gc_freezes_what_is_loaded_and_raises_the_threshold(
        restored_gc: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HCP_GC_TUNE", raising=False)
    monkeypatch.setenv("HCP_GC_THRESHOLD", "20000")
    assert tune_gc()[0] == 20000
    assert gc.get_freeze_count() > 0


def test_tune_gc_can_be_switched_off(restored_gc: None, monkeypatch: pytest.MonkeyPatch
                                     ) -> None:
    monkeypatch.setenv("HCP_GC_TUNE", "false")
    before = gc.get_threshold()
    assert tune_gc() == before
    assert before[0] < DEFAULT_THRESHOLD
