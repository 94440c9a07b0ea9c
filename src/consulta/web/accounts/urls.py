from django.contrib.auth import views as auth_views
from django.urls import path

from consulta.web.accounts import invitation_views, two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignIn.as_view(), name="login"),
    path("login/code/", views.code, name="login-code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.account, name="account"),
    # Passwords
    path("password/", views.password_change, name="password-change"),
    path("password/changed/", views.password_change_done, name="password-change-done"),
    path("password/reset/", views.PasswordReset.as_view(), name="password-reset"),
    path("password/reset/sent/", views.password_reset_done, name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", views.password_reset_confirm,
         name="password-reset-confirm"),
    path("password/reset/done/", views.password_reset_complete, name="password-reset-complete"),
    # Two-factor authentication
    path("two-factor/setup/", two_factor_views.setup, name="two-factor-setup"),
    path("two-factor/confirm/", two_factor_views.confirm, name="two-factor-confirm"),
    path("two-factor/recovery-codes/", two_factor_views.recovery_codes,
         name="two-factor-recovery-codes"),
    path("two-factor/turn-off/", two_factor_views.turn_off, name="two-factor-turn-off"),
    # Inviting colleagues to a consultation
    path("invite/<slug:slug>/", invitation_views.invite, name="invite"),
    path("invitation/<str:token>/", invitation_views.invitation, name="invitation"),
    path("invitation/<str:token>/accept/", invitation_views.accept, name="invitation-accept"),
]
