"""The Responses pages under /organise/<slug>/responses/. Mutating views are POST-only."""

from django.urls import path

from consulta.web.responses import response_views, views

app_name = "responses"

RESPONSE = "<str:reference>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/<str:fmt>/", views.export, name="export"),
    path("phase/<int:number>/import/", views.import_form, name="import-form"),
    path("phase/<int:number>/import/run/", views.run_import, name="import"),
    # One response
    path(RESPONSE, response_views.detail, name="detail"),
    path(RESPONSE + "withdraw/", response_views.withdraw, name="withdraw"),
    path(RESPONSE + "delete/", response_views.delete_form, name="delete-form"),
    path(RESPONSE + "delete/run/", response_views.delete, name="delete"),
    path(RESPONSE + "organisation/", response_views.organisation_form, name="organisation"),
    path(RESPONSE + "organisation/link/", response_views.link_organisation,
         name="organisation-link"),
    path(RESPONSE + "organisation/add/", response_views.add_organisation,
         name="organisation-add"),
]
