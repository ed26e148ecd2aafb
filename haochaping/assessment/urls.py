from __future__ import annotations

from django.urls import path

from haochaping.assessment import views, views_visits

app_name = "assessment"

urlpatterns = [
    # 自评: the office's forms; an org's own entries
    path("", views.index, name="index"),
    path("forms/new/", views.form_new, name="form_new"),
    path("forms/<int:pk>/", views.form_detail, name="form"),
    path("forms/<int:pk>/publish/", views.form_publish, name="form_publish"),
    path("mine/", views.mine, name="mine"),
    path("entries/<int:pk>/", views.entry, name="entry"),
    path("entries/<int:pk>/save/", views.entry_save, name="entry_save"),
    path("entries/<int:pk>/review/", views.entry_review, name="entry_review"),
    # 第三方评估: the office's rounds; an assessor's own visits
    path("rounds/", views_visits.rounds, name="rounds"),
    path("rounds/new/", views_visits.round_new, name="round_new"),
    path("rounds/<int:pk>/", views_visits.round_detail, name="round"),
    path("rounds/<int:pk>/assign/", views_visits.round_assign, name="round_assign"),
    path("rounds/<int:pk>/publish/", views_visits.round_publish, name="round_publish"),
    path("visits/", views_visits.visits, name="visits"),
    path("visits/<int:pk>/", views_visits.visit, name="visit"),
    path("visits/<int:pk>/review/", views_visits.visit_review, name="visit_review"),
]
