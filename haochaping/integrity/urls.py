from __future__ import annotations

from django.urls import URLPattern

app_name = "integrity"

urlpatterns: list[URLPattern] = []
