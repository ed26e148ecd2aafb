from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from haochaping.api import api

admin.site.site_header = "好差评管理后台"
admin.site.site_title = "好差评"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("haochaping.complaints.open311.urls")),
    path("accounts/", include("haochaping.accounts.urls")),
    path("work/exchange/inbound/", include("haochaping.exchange.inbound.urls")),
    path("work/orders/", include("haochaping.workorders.urls")),
    path("work/complaints/", include("haochaping.complaints.urls")),
    path("gongshi/", include("haochaping.disclosure.urls")),
    path("work/stats/", include("haochaping.stats.urls")),
    path("work/supervision/", include("haochaping.supervision.urls")),
    path("work/integrity/", include("haochaping.integrity.urls")),
    path("work/problems/", include("haochaping.problems.urls")),
    path("work/assessment/", include("haochaping.assessment.urls")),
    path("work/appraisal/", include("haochaping.appraisal.urls")),
    path("work/exchange/", include("haochaping.exchange.urls")),
    path("work/privacy/", include("haochaping.vault.urls")),
    path("", include("haochaping.evaluations.urls")),
    path("", include("haochaping.core.urls")),
    path("", include("haochaping.workbench.urls")),
    path("", include("haochaping.workorders.public_urls")),
    path("", include("haochaping.complaints.public_urls")),
]
