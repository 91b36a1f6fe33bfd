from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    OWNER = "owner", "Practice owner"
    THERAPIST = "therapist", "Therapist"
    FRONTDESK = "frontdesk", "Front desk"
    # Clients get identities of their own later; the role is reserved now so that every access
    # rule already has to say what a client may see.
    CLIENT = "client", "Client"


STAFF_ROLES = (Role.OWNER, Role.THERAPIST, Role.FRONTDESK)
# Who may read clinical records (answers, scores, alerts) and be told of a risk: never the front
# desk.
CLINICAL_ROLES = (Role.OWNER, Role.THERAPIST)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None leaves an unusable password
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        # Addresses are stored lowercase, so "Fran@Example.com" signs in as fran@example.com.
        return self.get(email=(username or "").lower())

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("role", Role.OWNER)
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. Staff sign in by e-mail; `is_staff` only means Django admin access."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=16, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "admin access", default=False, help_text="May use the Django admin."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A staff member's key to the API, sent as `Authorization: Bearer alli_…`. The token is
    shown once, when made (`manage.py createapitoken`); only its SHA-256 is kept. A token
    carries its user's role: it sees what they would see signed in (alliance.accounts.tokens).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    # A plain SHA-256, not a password hasher: the secret is 256 random bits, so there is nothing
    # to guess and no need to slow guessing down, and one indexed lookup finds the row.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12, editable=False, help_text="The token's first characters, to tell it apart."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class Actor(models.TextChoices):
    """Who read, as the audit records it: a staff role, or someone without a sign-in."""

    OWNER = Role.OWNER.value, Role.OWNER.label
    THERAPIST = Role.THERAPIST.value, Role.THERAPIST.label
    FRONTDESK = Role.FRONTDESK.value, Role.FRONTDESK.label
    CLIENT = Role.CLIENT.value, Role.CLIENT.label
    CLIENT_LINK = "client_link", "Client, by their link"
    COMMAND = "command", "Server command"


class AuditIsAppendOnly(Exception):
    """Audit records are written once and never changed or removed."""


class AuditRecordQuerySet(models.QuerySet["AuditRecord"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditIsAppendOnly("audit records cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditIsAppendOnly("audit records cannot be deleted")


class AuditRecord(models.Model):
    """One look at a client's clinical data: who, in which role, which client, what, when and
    from where (alliance.accounts.audit). Append-only, here and in the database (a trigger
    refuses UPDATE and DELETE, migration 0003)."""

    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    # PROTECT: a person who has read records cannot be deleted (deactivate them instead), and
    # SET_NULL would be an UPDATE, which the table refuses.
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    role = models.CharField(max_length=16, choices=Actor.choices, editable=False)
    # A plain value, not a foreign key: erasing a client keeps the trail, and the audit sits
    # below the app that holds clients.
    client_uuid = models.UUIDField(null=True, blank=True, db_index=True, editable=False)
    what = models.CharField(max_length=40, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    address = models.CharField("from address", max_length=45, blank=True, editable=False)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.what} at {self.at:%Y-%m-%d %H:%M} UTC"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditIsAppendOnly("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditIsAppendOnly("audit records cannot be deleted")
