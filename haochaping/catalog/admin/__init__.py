"""Django admin for the catalog, split by area (one module per area)."""

from haochaping.catalog.admin import (
    org,  # noqa: F401,E402
    policy,  # noqa: F401,E402
    standard,  # noqa: F401,E402
)
