from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "consulta.web.privacy"
    label = "privacy"
    verbose_name = "Personal data"
