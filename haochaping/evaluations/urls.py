"""Public rating channels, mounted at the site root (docs/channels.md)."""

from __future__ import annotations

from django.urls import path, re_path

from haochaping.evaluations.devices import views as devices
from haochaping.evaluations.legacy import views as legacy
from haochaping.evaluations.views import invite, pad, phone, window

app_name = "evaluations"

urlpatterns = [
    path("r/<str:token>", invite.invitation_page, name="invite"),
    re_path(r"^r/(?P<token>[^/]+)/qr\.(?P<fmt>png|svg)$", invite.invitation_qr,
            name="invite_qr"),
    path("q/w/<str:code>", window.window_poster, name="window_poster"),
    re_path(r"^q/w/(?P<code>[^/]+)/qr\.(?P<fmt>png|svg)$", window.window_qr,
            name="window_qr"),
    path("q/w/<str:code>/start", window.window_start, name="window_start"),
    path("q/w/<str:code>/verify", window.window_verify, name="window_verify"),
    path("q/w/<str:code>/list", window.window_list, name="window_list"),
    path("q/w/<str:code>/h/<int:handling_id>", window.window_rate, name="window_rate"),
    path("work/phone/", phone.phone_list, name="phone_list"),
    path("work/phone/<int:handling_id>/", phone.phone_rate, name="phone_rate"),
    path("work/phone/<int:handling_id>/reveal", phone.phone_reveal, name="phone_reveal"),
    path("work/devices/", devices.device_list, name="devices"),
    path("work/devices/register", devices.device_register, name="device_register"),
    path("work/devices/<int:device_id>/rekey", devices.device_rekey_view, name="device_rekey"),
    path("work/devices/<int:device_id>/deactivate", devices.device_deactivate_view,
         name="device_deactivate"),
    path("work/legacy/", legacy.legacy_home, name="legacy"),
    path("work/legacy/<int:batch_id>/", legacy.legacy_batch, name="legacy_batch"),
    path("pad/", pad.pad_home, name="pad"),
    path("pad/state", pad.pad_state, name="pad_state"),
    path("pad/idle", pad.pad_idle, name="pad_idle"),
    path("pad/rate", pad.pad_rate, name="pad_rate"),
]
