"""Mounted by ``complaints.urls`` in the ``complaints`` namespace: office entry under
``entry/``, the 监督员's own items under ``mine/`` (``mine_patterns``)."""

from __future__ import annotations

from django.urls import path

from haochaping.complaints.entry import views

urlpatterns = [
    path("", views.entry_page, name="entry"),
    path("subject", views.entry_subject, name="entry_subject"),
    path("<str:ref>/", views.entry_saved, name="entry_saved"),
]

mine_patterns = [
    path("", views.mine_page, name="mine"),
]
