from __future__ import annotations

from django.urls import path

from haochaping.vault import views

app_name = "vault"

urlpatterns = [
    path("", views.inventory, name="inventory"),
]
