from __future__ import annotations

from django.urls import path

from haochaping.core import views

app_name = "core"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
