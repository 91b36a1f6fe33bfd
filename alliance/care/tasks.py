from django.tasks import task
from django.utils import timezone

from alliance.care.alerts import alerts_escalate
from alliance.care.engine.incremental import signals_recompute_client
from alliance.clients.models import Client


@task()
def alerts_escalate_task() -> int:
    """Escalate the risk alerts past their deadline (alliance.care.alerts)."""
    return alerts_escalate(now=timezone.now())


@task()
def signals_recompute_task(client_uuid: str) -> int:
    """Recompute one client's signals after a response (alliance.care.engine)."""
    client = Client.objects.filter(uuid=client_uuid).first()
    if client is None:
        return 0
    return len(signals_recompute_client(client=client, now=timezone.now()))
