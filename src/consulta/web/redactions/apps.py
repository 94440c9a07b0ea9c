from django.apps import AppConfig


class RedactionsConfig(AppConfig):
    name = "consulta.web.redactions"
    label = "redactions"
    verbose_name = "Personal data review"
