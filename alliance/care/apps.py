from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "alliance.care"
    label = "care"
    verbose_name = "Care"

    def ready(self) -> None:
        from alliance.care import checks  # noqa: F401  (registers the system check)
