from __future__ import annotations

from django.urls import path

from haochaping.appraisal import export, views, views_bottom

app_name = "appraisal"

urlpatterns = [
    path("", views.index, name="index"),
    path("sheets/new/", views.sheet_new, name="sheet_new"),
    path("sheets/<int:pk>/", views.sheet, name="sheet"),
    path("sheets/<int:pk>/run/", views.run_new, name="run_new"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("runs/<int:pk>/publish/", views.publish, name="publish"),
    path("runs/<int:pk>.xlsx", export.workbook, name="run_xlsx"),
    path("bottom/", views_bottom.bottom, name="bottom"),
    path("reviews/<int:pk>/plan/", views_bottom.plan_new, name="plan_new"),
    path("plans/<int:pk>/transfer/", views_bottom.plan_transfer, name="plan_transfer"),
    path("violations/", views_bottom.violations, name="violations"),
    path("mine/", views.mine, name="mine"),
]
