"""The office's complaint screens, included by ``complaints/urls.py`` (namespace
``complaints``) at /work/complaints/."""

from __future__ import annotations

from django.urls import path

from haochaping.complaints.office import spotchecks, views

urlpatterns = [
    path("", views.queue, name="office_queue"),
    path("<int:pk>/", views.item_page, name="office_item"),
    path("<int:pk>/act/<slug:step>", views.act, name="office_act"),
    path("<int:pk>/reveal", views.reveal, name="office_reveal"),
    path("spotchecks/", spotchecks.page, name="office_spotchecks"),
    path("spotchecks/<int:pk>", spotchecks.record, name="office_spotcheck_record"),
]
