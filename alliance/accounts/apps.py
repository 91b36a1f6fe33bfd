from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "alliance.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from alliance.accounts import checks  # noqa: F401  (registers the system checks)
