"""Statistics screens, mounted at /work/stats/ (haochaping/urls.py)."""

from __future__ import annotations

from django.urls import path

from haochaping.stats.views import (
    approvals,
    dashboard,
    drill,
    drill_items,
    exports,
    opinion,
    ranking,
)

app_name = "stats"

urlpatterns = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("drill/", drill.drill_page, name="drill"),
    path("drill/export.<slug:fmt>", exports.drill_export, name="drill_export"),
    path("drill/handlings/", drill.handlings_page, name="drill_handlings"),
    path("drill/handlings/export.<slug:fmt>", exports.handlings_export,
         name="drill_handlings_export"),
    path("drill/orders/", drill.orders_page, name="drill_orders"),
    path("drill/items/", drill_items.items_page, name="drill_items"),
    path("drill/orders/export.<slug:fmt>", exports.orders_export, name="drill_orders_export"),
    path("export/<slug:table>.<slug:fmt>", exports.table_export, name="export_table"),
    path("ranking/", ranking.ranking_page, name="ranking"),
    path("opinion/", opinion.opinion_page, name="opinion"),
    path("opinion/panel/", opinion.opinion_panel, name="opinion_panel"),
    path("exports/requests/", approvals.mine, name="export_requests"),
    path("exports/requests/new", approvals.request_create, name="export_request_create"),
    path("exports/approvals/", approvals.approvals_page, name="export_approvals"),
    path("exports/approvals/<int:pk>/decide", approvals.decide, name="export_decide"),
]
