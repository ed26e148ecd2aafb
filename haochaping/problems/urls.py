from __future__ import annotations

from django.urls import path

from haochaping.problems import views

app_name = "problems"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.task_page, name="task"),
    path("<int:pk>/evidence/", views.evidence, name="evidence"),
    path("<int:pk>/check/", views.check, name="check"),
    path("evidence/<int:pk>/file", views.evidence_file, name="evidence_file"),
]
