"""公示专栏 (public, no login), mounted at ``gongshi/``."""

from __future__ import annotations

from django.urls import path, re_path

from haochaping.disclosure import views

app_name = "disclosure"
urlpatterns = [
    path("", views.index, name="index"),
    # The public home; also what an anonymous visit to / shows (workbench.views.home).
    path("shouye/", views.home, name="home"),
    path("paiming/", views.rankings, name="rankings"),
    path("zhenggai/", views.rectification, name="rectification"),
    re_path(r"^xiazai/(?P<table>paiming|zhenggai)\.(?P<fmt>csv|xlsx)$", views.download,
            name="download"),
    re_path(r"^xiazai/(?P<table>kuaizhao)\.(?P<fmt>json)$", views.download,
            name="snapshot"),
    path("anli/", views.cases, name="cases"),
    path("koujing/", views.definitions, name="definitions"),
    path("assessments/", views.assessments, name="assessments"),
]
