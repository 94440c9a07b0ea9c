from django.urls import path

from consulta.web.analysis import views

app_name = "analysis"

urlpatterns = [
    path("", views.index, name="index"),
    path("run/", views.queue, name="queue"),
    path("<int:run_id>/<str:name>", views.download, name="download"),
]
