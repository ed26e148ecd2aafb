"""The complaints app's staff screens, mounted at /work/complaints/ (haochaping/urls.py)."""

from __future__ import annotations

from django.urls import include, path

app_name = "complaints"

urlpatterns = [
    path("words/", include("haochaping.complaints.filtering.urls")),
    path("", include("haochaping.complaints.office.urls")),
]
