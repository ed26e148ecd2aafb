"""The complaints screens, mounted at /work/complaints/ (namespace ``complaints``)."""

from __future__ import annotations

from django.urls import include, path

from haochaping.complaints.entry.urls import mine_patterns

app_name = "complaints"

urlpatterns = [
    path("entry/", include("haochaping.complaints.entry.urls")),
    path("mine/", include(mine_patterns)),
]
