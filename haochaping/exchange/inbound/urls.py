"""The office's screen of the downward exchange (上级转办), mounted at /work/exchange/inbound/
(haochaping/urls.py)."""

from __future__ import annotations

from django.urls import path

from haochaping.exchange.inbound import views

app_name = "exchange_inbound"

urlpatterns = [
    path("", views.inbound_page, name="page"),
    path("items/<int:pk>/", views.item_page, name="item"),
    path("items/<int:pk>/dispatch", views.item_dispatch, name="dispatch"),
]
