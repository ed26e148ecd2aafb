"""The rater's public page (no login); the path is the link of the reply SMS."""

from __future__ import annotations

from django.urls import path

from haochaping.workorders import public

urlpatterns = [
    path("workorders/reply/<uuid:public_id>", public.reply_page, name="workorder_reply"),
    path("workorders/follow/<str:token>", public.follow_page, name="workorder_follow"),
]
