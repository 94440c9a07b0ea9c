"""Publishing: the back office (/organise/<slug>/publishing/...) and the public results pages
(/c/<slug>/results/...), with the subscribers' unsubscribe page."""

from django.urls import path

from consulta.web.publishing import public_views, views

app_name = "publishing"

BACK = "organise/<slug:slug>/publishing/"
ACTION = BACK + "actions/<int:pk>/"
PUBLIC = "c/<slug:slug>/results/"

urlpatterns = [
    path(BACK, views.index, name="index"),
    path(BACK + "publish/", views.publish, name="publish"),
    path(BACK + "actions/new/", views.action_new, name="action-new"),
    path(BACK + "actions/create/", views.action_create, name="action-create"),
    path(ACTION, views.action_edit, name="action"),
    path(ACTION + "save/", views.action_save, name="action-save"),
    path(ACTION + "updates/add/", views.update_add, name="update-add"),
    path(PUBLIC, public_views.results, name="results"),
    path(PUBLIC + "report.pdf", public_views.report_pdf, name="report-pdf"),
    path(PUBLIC + "report.docx", public_views.report_docx, name="report-docx"),
    path(PUBLIC + "responses/", public_views.responses, name="responses"),
    path(PUBLIC + "responses.csv", public_views.responses_csv, name="responses-csv"),
    path("c/<slug:slug>/hear-back/", public_views.subscribe, name="subscribe"),
    path("results-emails/<str:token>/", public_views.unsubscribe_page, name="unsubscribe"),
    path("results-emails/<str:token>/confirm/", public_views.unsubscribe,
         name="unsubscribe-confirm"),
]
