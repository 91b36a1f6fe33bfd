import uuid
from collections.abc import Iterable

from django.db import models
from django.utils import timezone

from alliance.accounts.access import scoped_to_user
from alliance.accounts.models import User
from alliance.practice.models import Therapist


class ClientQuerySet(models.QuerySet["Client"]):
    def visible_to(self, user: User) -> "ClientQuerySet":
        return scoped_to_user(self, user, therapist="therapist")

    def bookable(self) -> "ClientQuerySet":
        return self.filter(erased_at__isnull=True)


class Client(models.Model):
    """A person the practice serves or is about to: from their first booking on."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField(max_length=40, blank=True)
    therapist = models.ForeignKey(
        Therapist,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
        help_text="The treating therapist, once there is one.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set by client_erase: the name, contact details and free text are gone, the clinical
    # record stays for the retention period (docs/security.md, Data rights).
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def client_names(uuids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The read audit's names for these clients (registered in ClientsConfig.ready)."""
    return dict(Client.objects.filter(uuid__in=list(uuids)).values_list("uuid", "name"))
