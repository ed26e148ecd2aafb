"""Abstract parts of the roll-up models (stats.models): the grain, the count columns of
the complaints app's items (诉求件). Kept apart so models.py stays readable."""

from __future__ import annotations

from typing import Any

from django.db import models


def count(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0)


def ref(to: str, *, null: bool = False, indexed: bool = True) -> Any:
    """A rollup's reference to a catalog row. Rollups are derived data, rebuilt from raw
    rows whose own foreign keys guarantee the ids, so the database checks no constraint
    per rollup row (a rebuild writes millions); PROTECT still stops the ORM from deleting
    a referenced org, hall, window, staff member or matter. ``indexed=False`` where a
    composite index already leads with the column (org: the (org, day) indexes)."""
    return models.ForeignKey(to, null=null, on_delete=models.PROTECT, related_name="+",
                             db_constraint=False, db_index=indexed)


class Grain(models.Model):
    day = models.DateField("日期（北京时间）")
    org = ref("catalog.Org", indexed=False)
    hall = ref("catalog.Hall", null=True)
    window = ref("catalog.Window", null=True)
    staff = ref("catalog.Staff", null=True)
    matter = ref("catalog.Matter")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} org {self.org_id}"


def grain_constraints(name: str, *extra: str) -> list[models.BaseConstraint]:
    # One row per bucket; NULL hall/window/staff are equal for the key (PostgreSQL 15+).
    # Leads with day: "one month across all orgs" reads a day range of this index.
    return [models.UniqueConstraint(
        fields=["day", "org", "matter", "hall", "window", "staff", *extra],
        name=f"{name}_grain", nulls_distinct=False)]


def org_day_index(name: str) -> models.Index:
    # "org × month for a year" and subtree figures: an org's day range.
    return models.Index(fields=["org", "day"], name=f"{name}_org_day")


class ItemCounts(models.Model):
    """诉求件 received, on the day received (rules.Counts)."""

    items_inquiry = count("咨询")
    items_complaint = count("投诉")
    items_suggestion = count("建议")
    items_bad_review = count("差评（外部转来）")
    items_comment = count("综合点评")
    items_accepted = count("已受理")
    items_refused = count("不予受理")
    complaints_accepted = count("已受理投诉")

    class Meta:
        abstract = True


class ItemCloseCounts(models.Model):
    """诉求件 closed, on the day closed."""

    items_closed = count("已办结诉求")
    items_closed_on_time = count("按期办结诉求")

    class Meta:
        abstract = True


class SpotCounts(models.Model):
    """抽查回访, on the day called."""

    spot_reached = count("回访联系上")
    spot_satisfied = count("回访满意")

    class Meta:
        abstract = True
