from django.urls import path

from consulta.web.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.forget_page, name="forget"),
    path("check/", views.forget_check, name="forget-check"),
    path("confirm/", views.forget_confirm, name="forget-confirm"),
]
