"""Open311 GeoReport v2 over complaints (docs/complaints.md "Open311 GeoReport v2"),
mounted at /open311/v2/: services, requests (filed through the one intake) and their
status. The mapping of fields is the pure module ``complaints.rules.open311``."""
