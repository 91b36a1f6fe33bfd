from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "alliance.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from alliance.api import checks  # noqa: F401  (registers the system checks)
