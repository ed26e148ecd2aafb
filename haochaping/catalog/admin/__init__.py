"""Django admin for the catalog, split by area (one module per area)."""
