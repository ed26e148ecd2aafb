"""Screens of the complaints app, mounted at /work/complaints/ (haochaping/urls.py)."""

from __future__ import annotations

from django.urls import include, path

app_name = "complaints"

urlpatterns = [
    path("", include("haochaping.complaints.office.urls")),
]
