"""The matter catalog: ~200 city-level matters over the "6+1" categories (data/matters.csv)
and their district implementations (all of them in medium and large, a sample in small)."""

from __future__ import annotations

from haochaping.catalog.models import Matter, Org
from haochaping.catalog.rules.codes import HandlingType
from haochaping.demo import data
from haochaping.demo.geo import BATCH, Locality
from haochaping.demo.sizes import DemoSize


def matter_code(index: int, spec: data.MatterSpec) -> str:
    """事项基本编码 (12 digits): the GB/T 39046 category code, then a serial number."""
    return f"{spec.category.gb_code}{index:06d}0000"


def _matter(index: int, spec: data.MatterSpec, org: Org) -> Matter:
    code = matter_code(index, spec)
    handling = HandlingType.IMMEDIATE if spec.promised_days == 0 else HandlingType.PROMISED
    return Matter(code=code, impl_code=f"{org.code}{code}", version="1", name=spec.name,
                  category=spec.category.value, org=org, handling_type=handling.value,
                  promised_days=spec.promised_days, legal_days=spec.legal_days,
                  online_available=spec.online)


def build_matters(locality: Locality, size: DemoSize) -> int:
    """Insert the catalog; the implementation code is the implementing org's USCC + the
    basic code, so the same matter at two levels has two implementation codes."""
    specs = list(enumerate(data.matters(), start=1))
    rows = [_matter(i, spec, locality.departments[spec.dept]) for i, spec in specs]
    if size.district_matters == "all":
        for district in locality.districts:
            rows.extend(_matter(i, spec, district.departments[spec.dept])
                        for i, spec in specs if spec.dept in district.departments)
    else:
        district = locality.district(data.DEMO_DISTRICT)
        first: dict[str, tuple[int, data.MatterSpec]] = {}
        for i, spec in specs:
            first.setdefault(spec.dept, (i, spec))
        rows.extend(_matter(i, spec, district.departments[spec.dept])
                    for i, spec in first.values() if spec.dept in district.departments)
    Matter.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)
