"""The office's exchange screens, mounted at /work/exchange/ (haochaping/urls.py)."""

from __future__ import annotations

from django.urls import path

from haochaping.exchange import reconcile_views, views

app_name = "exchange"

urlpatterns = [
    path("", views.office, name="office"),
    path("<int:remote_id>/records", views.records, name="records"),
    path("<int:remote_id>/resend-all", views.resend_all, name="resend_all"),
    path("<int:remote_id>/backfill", views.backfill, name="backfill"),
    path("records/<int:record_id>/resend", views.resend, name="resend"),
    path("<int:remote_id>/reconcile/", reconcile_views.days, name="reconcile"),
    path("<int:remote_id>/reconcile/differences.xlsx", reconcile_views.export,
         name="reconcile_export"),
    path("<int:remote_id>/reconcile/<str:day>/", reconcile_views.day_view,
         name="reconcile_day"),
    path("<int:remote_id>/reconcile/<str:day>/resend", reconcile_views.resend,
         name="reconcile_resend"),
]
