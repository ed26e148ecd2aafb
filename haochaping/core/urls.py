from __future__ import annotations

from django.urls import path

from haochaping.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("partials/matters", views.matter_table, name="matter_table"),
]
