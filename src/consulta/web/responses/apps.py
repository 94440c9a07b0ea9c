from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "consulta.web.responses"
    label = "responses"
    verbose_name = "Responses"
