"""Statistics screens, mounted at /work/stats/ (haochaping/urls.py)."""

from __future__ import annotations

from django.urls import path

from haochaping.stats.views import dashboard, drill, ranking

app_name = "stats"

urlpatterns = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("drill/", drill.drill_page, name="drill"),
    path("ranking/", ranking.ranking_page, name="ranking"),
]
