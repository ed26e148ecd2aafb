"""Public complaint pages (no login), mounted at the site root: filing ``/tousu/``, the
village-station QR ``/tousu/z/<hall>`` (printed from ``/tousu/qr/<hall>``), tracking
``/tousu/track/``."""

from __future__ import annotations

from django.urls import path, re_path

from haochaping.complaints.public import views_file as f
from haochaping.complaints.public import views_track as t

app_name = "complaints_public"

urlpatterns = [
    path("tousu/", f.file_start, name="file"),
    path("tousu/code", f.file_code, name="file_code"),
    path("tousu/verify", f.file_verify, name="file_verify"),
    path("tousu/submit", f.file_submit, name="file_submit"),
    path("tousu/subjects", f.subjects, name="subjects"),
    path("tousu/z/<str:code>", f.village_start, name="village"),
    re_path(r"^tousu/qr/(?P<code>[^/]+)\.(?P<fmt>png|svg)$", f.hall_qr, name="hall_qr"),
    path("tousu/qr/<str:code>", f.hall_poster, name="hall_poster"),
    path("tousu/track/", t.track_start, name="track"),
    path("tousu/track/code", t.track_code, name="track_code"),
    path("tousu/track/verify", t.track_verify, name="track_verify"),
    path("tousu/track/<str:ref>", t.track_item, name="track_item"),
    path("tousu/track/<str:ref>/rate", t.track_rate, name="track_rate"),
]
