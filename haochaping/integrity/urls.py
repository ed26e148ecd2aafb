from __future__ import annotations

from django.urls import path

from haochaping.integrity import views

app_name = "integrity"

urlpatterns = [
    path("", views.index, name="index"),
    path("ratings/<int:pk>/", views.rating, name="rating"),
    path("ratings/<int:pk>/decide/", views.decide, name="decide"),
    path("config/", views.config, name="config"),
    path("config/change/", views.config_change, name="config_change"),
]
