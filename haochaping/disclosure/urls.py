"""公示专栏 (public, no login), mounted at ``gongshi/``."""

from __future__ import annotations

from django.urls import path

from haochaping.disclosure import views

app_name = "disclosure"
urlpatterns = [
    path("", views.index, name="index"),
    path("paiming/", views.rankings, name="rankings"),
    path("anli/", views.cases, name="cases"),
    path("koujing/", views.definitions, name="definitions"),
]
