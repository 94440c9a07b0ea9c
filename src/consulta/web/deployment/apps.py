from django.apps import AppConfig


class DeploymentConfig(AppConfig):
    name = "consulta.web.deployment"
    label = "deployment"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from consulta.web.deployment import checks, files

        checks.register()
        connection_created.connect(files.keep_database_private, dispatch_uid="private-database")
