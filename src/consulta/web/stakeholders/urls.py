from django.urls import path

from consulta.web.stakeholders import views

app_name = "stakeholders"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_form, name="import-form"),
    path("import/run/", views.run_import, name="import"),
]
