from django.apps import AppConfig


class RespondConfig(AppConfig):
    name = "consulta.web.respond"
    label = "respond"
    verbose_name = "Respondent journey"
