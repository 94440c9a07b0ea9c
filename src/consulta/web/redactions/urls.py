from django.urls import path

from consulta.web.redactions import views

app_name = "redactions"

urlpatterns = [
    path("", views.page, name="page"),
    path("scan/", views.scan, name="scan"),
    path("answer/<int:answer_id>/add/", views.add, name="add"),
    path("<int:redaction_id>/<slug:action>/", views.decide, name="decide"),
]
