from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "alliance.outbox"
    label = "outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        # Imported in ready(): the sender reads the models, loaded only once the registry is.
        from alliance.outbox.sending import outbox_flush
        from alliance.practice.worker import worker_sweep_register

        # Mail whose wake-up was lost (a crash, a sender killed past its lease) goes out anyway.
        worker_sweep_register("outbox", lambda now: outbox_flush(now=now))
