from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "alliance.clients"
    label = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        # Imported here: models and the audit's registry are ready only now.
        from alliance.accounts.audit import audit_client_namer_register
        from alliance.clients.models import client_names

        audit_client_namer_register(client_names)
