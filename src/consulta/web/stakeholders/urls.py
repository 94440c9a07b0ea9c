from django.urls import path

from consulta.web.stakeholders import organisation_views as organisations
from consulta.web.stakeholders import person_views as people
from consulta.web.stakeholders import views

app_name = "stakeholders"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_form, name="import-form"),
    path("import/run/", views.run_import, name="import"),
    path("export/<str:kind>/", views.export, name="export"),
    # Each form page (GET) posts to its own POST-only address.
    path("organisations/new/", organisations.new, name="organisation-new"),
    path("organisations/create/", organisations.create, name="organisation-create"),
    path("organisations/<int:pk>/", organisations.show, name="organisation"),
    path("organisations/<int:pk>/edit/", organisations.edit, name="organisation-edit"),
    path("organisations/<int:pk>/update/", organisations.update, name="organisation-update"),
    path("organisations/<int:pk>/remove/", organisations.confirm_remove,
         name="organisation-confirm-remove"),
    path("organisations/<int:pk>/delete/", organisations.remove, name="organisation-remove"),
    path("organisations/<int:pk>/merge/", organisations.merge_form, name="organisation-merge-form"),
    path("organisations/<int:pk>/merge/run/", organisations.merge, name="organisation-merge"),
    path("people/", people.index, name="people"),
    path("people/new/", people.new, name="person-new"),
    path("people/create/", people.create, name="person-create"),
    path("people/<int:pk>/edit/", people.edit, name="person-edit"),
    path("people/<int:pk>/update/", people.update, name="person-update"),
    path("people/<int:pk>/remove/", people.confirm_remove, name="person-confirm-remove"),
    path("people/<int:pk>/delete/", people.remove, name="person-remove"),
    path("people/<int:pk>/merge/", people.merge_form, name="person-merge-form"),
    path("people/<int:pk>/merge/run/", people.merge, name="person-merge"),
]
