from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from haochaping.accounts import otp_views

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/", otp_views.otp_verify, name="otp"),
    path("otp/setup/", otp_views.otp_setup, name="otp_setup"),
    path("password/", otp_views.password_change, name="password"),
]
