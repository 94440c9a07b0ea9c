"""The organiser back office, under /organise/. Mutating views are POST-only."""

from django.urls import path

from consulta.web.consultations import phase_views, question_views, views

app_name = "consultations"

PHASE = "<slug:slug>/phases/<int:number>/"
QUESTION = PHASE + "questions/<int:pk>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("create/", views.create, name="create"),
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/update/", views.update, name="update"),
    path("<slug:slug>/audit/", views.audit, name="audit"),
    # Phases
    path("<slug:slug>/phases/new/", phase_views.new, name="phase-new"),
    path("<slug:slug>/phases/create/", phase_views.create, name="phase-create"),
    path(PHASE + "edit/", phase_views.edit, name="phase-edit"),
    path(PHASE + "update/", phase_views.update, name="phase-update"),
    path(PHASE + "delete/", phase_views.delete, name="phase-delete"),
    path(PHASE + "staff-link/replace/", phase_views.rotate_key, name="phase-rotate-key"),
    # Questions
    path(PHASE + "questions/", question_views.index, name="questions"),
    path(PHASE + "questions/new/", question_views.new, name="question-new"),
    path(PHASE + "questions/create/", question_views.create, name="question-create"),
    path(QUESTION + "edit/", question_views.edit, name="question-edit"),
    path(QUESTION + "update/", question_views.update, name="question-update"),
    path(QUESTION + "delete/", question_views.delete, name="question-delete"),
    path(QUESTION + "move/", question_views.move, name="question-move"),
    # Respondent roles and members
    path("<slug:slug>/roles/", views.roles, name="roles"),
    path("<slug:slug>/roles/create/", views.role_create, name="role-create"),
    path("<slug:slug>/roles/<int:pk>/delete/", views.role_delete, name="role-delete"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/add/", views.member_add, name="member-add"),
    path("<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member-remove"),
]
