"""Work-order screens, mounted at /work/orders/ (haochaping/urls.py)."""

from __future__ import annotations

from django.urls import path

from haochaping.workorders.views import actions, console, workbench

app_name = "workorders"

urlpatterns = [
    path("", workbench.queue, name="queue"),
    path("console/", console.console_page, name="console"),
    path("<int:pk>/", workbench.order_page, name="order"),
    path("<int:pk>/reveal", actions.reveal_phone, name="reveal"),
    path("<int:pk>/relay", actions.relay, name="relay"),
    path("<int:pk>/act/<slug:step>", actions.act, name="act"),
]
