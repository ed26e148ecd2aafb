from __future__ import annotations

from django.urls import path

from haochaping.workbench import inbox, views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("partials/matters", views.matter_table, name="matter_table"),
    path("work/catalog/", views.catalog, name="catalog"),
    path("work/inbox/", inbox.inbox_page, name="inbox"),
    path("work/inbox/<int:pk>/open", inbox.inbox_item_open, name="inbox_open"),
    path("work/inbox/read-all", inbox.inbox_all_read, name="inbox_read_all"),
    path("work/inbox/settings", inbox.inbox_settings, name="inbox_settings"),
]
