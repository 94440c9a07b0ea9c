from django.contrib import admin
from django.urls import include, path

from consulta.web.accounts import views as account_views
from consulta.web.consultations import public_views

urlpatterns = [
    path("", public_views.home, name="home"),
    path("c/<slug:slug>/", public_views.consultation, name="public-consultation"),
    path("accounts/", include("consulta.web.accounts.urls")),
    # The respondent journey (/c/<slug>/<n>/, /i/<token>/, /r/<token>/, /done/, /accessibility/)
    path("", include("consulta.web.respond.urls")),
    # Invitations, reminders, wording and monitoring (/organise/...) and /unsubscribe/
    path("", include("consulta.web.outreach.urls")),
    path("organise/", include("consulta.web.consultations.urls")),
    path("organise/<slug:slug>/stakeholders/", include("consulta.web.stakeholders.urls")),
    path("organise/<slug:slug>/responses/", include("consulta.web.responses.urls")),
    path("organise/<slug:slug>/analysis/", include("consulta.web.analysis.urls")),
    path("organise/<slug:slug>/workbench/", include("consulta.web.workbench.urls")),
    path("organise/<slug:slug>/forget/", include("consulta.web.privacy.urls")),
    path("organise/<slug:slug>/report/", include("consulta.web.reports.urls")),
    path("organise/<slug:slug>/redactions/", include("consulta.web.redactions.urls")),
    # Publishing: /organise/<slug>/publishing/... and the public /c/<slug>/results/...
    path("", include("consulta.web.publishing.urls")),
    # The admin signs in through the site's page, which asks for a two-factor code.
    path("admin/login/", account_views.admin_login),
    path("admin/", admin.site.urls),
]
