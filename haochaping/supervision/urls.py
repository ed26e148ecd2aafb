from __future__ import annotations

from django.urls import path

from haochaping.supervision import bulletin, views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/draw/", views.draw, name="draw"),
    path("plans/<int:pk>/publish/", views.publish, name="publish"),
    path("plans/<int:pk>/bulletin/", bulletin.page, name="bulletin"),
    path("plans/<int:pk>/bulletin.xlsx", bulletin.sheet, name="bulletin_xlsx"),
    path("items/<int:pk>/finding/", views.finding, name="finding"),
]
