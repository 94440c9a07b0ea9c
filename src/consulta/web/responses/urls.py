from django.urls import path

from consulta.web.responses import views

app_name = "responses"

urlpatterns = [
    path("", views.index, name="index"),
    path("phase/<int:number>/import/", views.import_form, name="import-form"),
    path("phase/<int:number>/import/run/", views.run_import, name="import"),
]
