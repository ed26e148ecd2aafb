"""The office's word-list screen (过滤词表), mounted under /work/complaints/words/ by
``complaints/urls.py``."""

from __future__ import annotations

from django.urls import path

from haochaping.complaints.filtering import views

urlpatterns = [
    path("", views.words_page, name="words"),
    path("add", views.word_add, name="word_add"),
    path("<int:pk>/active", views.word_active, name="word_active"),
    path("try", views.word_try, name="word_try"),
]
