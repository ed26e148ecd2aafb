"""The daily roll-ups of the complaints app's items (诉求件, seed 004 §8): items by the day
received, by the day closed, and spot checks by the day called (docs/metrics.md). Kept by
the same dirty buckets and rebuilds as the rating roll-ups (stats.rollup.sources)."""

from __future__ import annotations

from django.db import models

from haochaping.stats.model_parts import (
    Grain,
    ItemCloseCounts,
    ItemCounts,
    SpotCounts,
    grain_constraints,
    org_day_index,
    ref,
)


class _ItemGrain(Grain):
    """诉求件 roll-ups (complaints app): the item's subject keys, its kind; ``org`` is the
    org the item is attributed to (its order's, else its subject org, else its office)."""

    matter = ref("catalog.Matter", null=True)
    kind = models.CharField("诉求类型", max_length=12)

    class Meta:
        abstract = True


class ItemRollup(_ItemGrain, ItemCounts):  # noqa: DJ008 (Grain's)
    class Meta:
        verbose_name = "诉求日汇总"
        verbose_name_plural = "诉求日汇总"
        constraints = grain_constraints("stats_item", "kind")
        indexes = [org_day_index("stats_item")]


class ItemCloseRollup(_ItemGrain, ItemCloseCounts):  # noqa: DJ008 (Grain's)
    class Meta:
        verbose_name = "诉求办结日汇总"
        verbose_name_plural = "诉求办结日汇总"
        constraints = grain_constraints("stats_itemclose", "kind")
        indexes = [org_day_index("stats_itemclose")]


class SpotCheckRollup(_ItemGrain, SpotCounts):  # noqa: DJ008 (Grain's)
    class Meta:
        verbose_name = "抽查回访日汇总"
        verbose_name_plural = "抽查回访日汇总"
        constraints = grain_constraints("stats_spot", "kind")
        indexes = [org_day_index("stats_spot")]
