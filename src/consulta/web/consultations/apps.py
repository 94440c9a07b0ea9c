from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consulta.web.consultations"
    label = "consultations"
    verbose_name = "Consultations"

