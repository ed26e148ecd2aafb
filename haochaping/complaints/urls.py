"""The complaints app's staff screens, mounted at /work/complaints/ (haochaping/urls.py,
namespace ``complaints``)."""

from __future__ import annotations

from django.urls import include, path

from haochaping.complaints.entry.urls import mine_patterns

app_name = "complaints"

urlpatterns = [
    path("words/", include("haochaping.complaints.filtering.urls")),
    path("entry/", include("haochaping.complaints.entry.urls")),
    path("mine/", include(mine_patterns)),
    path("", include("haochaping.complaints.office.urls")),
]
