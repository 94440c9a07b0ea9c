from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consulta.web.consultations"
    label = "consultations"
    verbose_name = "Consultations"


    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from consulta.web.consultations.audit import record_sign_in

        user_logged_in.connect(record_sign_in, dispatch_uid="audit-sign-in")
