from __future__ import annotations

from django.urls import path

from haochaping.core import views

app_name = "core"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The privacy notice every rating page links to, and earlier versions (core.privacy).
    path("yinsi/", views.privacy_notice, name="privacy_notice"),
    path("yinsi/<str:version>/", views.privacy_notice, name="privacy_notice_version"),
]
