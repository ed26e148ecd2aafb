"""Open311 GeoReport v2, mounted at /open311/v2/ (haochaping/urls.py). Every resource
answers in JSON or XML by its suffix; an unknown suffix is a 404 in JSON."""

from __future__ import annotations

from django.urls import re_path

from haochaping.complaints.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)"

urlpatterns = [
    re_path(rf"^services{FMT}$", views.services, name="services"),
    re_path(rf"^services/(?P<code>[A-Za-z0-9_.-]{{1,40}}){FMT}$", views.service_definition,
            name="service"),
    re_path(rf"^requests{FMT}$", views.requests, name="requests"),
    re_path(rf"^requests/(?P<ref>[A-Za-z0-9_-]{{1,40}}){FMT}$", views.request_detail,
            name="request"),
]
