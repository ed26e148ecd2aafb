from __future__ import annotations

from django.urls import path

from haochaping.workbench import views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("partials/matters", views.matter_table, name="matter_table"),
]
