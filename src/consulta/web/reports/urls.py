from django.urls import path

from consulta.web.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("text/", views.save, name="save"),
    path("download/<str:fmt>/", views.download, name="download"),
]
