"""`manage.py createapitoken EMAIL --role owner|therapist|frontdesk [--create]`

Prints a new API token as the only line on stdout, so that `TOKEN=$(manage.py createapitoken …)`
captures exactly the token; anything said about it goes to stderr.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from alliance.accounts.models import STAFF_ROLES, Role, User
from alliance.accounts.tokens import api_token_create
from alliance.practice.models import Accepting, Therapist

SLUG_LENGTH = 50  # Therapist.slug's max_length


class Command(BaseCommand):
    help = (
        "Print a new API token for a staff member, as the only line on stdout. The role must be "
        "the user's own; --create makes a missing user, with no password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The staff member's e-mail address.")
        parser.add_argument(
            "--role",
            required=True,
            choices=[role.value for role in STAFF_ROLES],
            help="Their role: a check against the user's own, never a change to it.",
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="Make the user if missing, with no usable password (and, for a therapist, an "
            "unlisted profile).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = User.objects.normalize_email(options["email"].strip()).lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{options['email']!r} is not an e-mail address.") from None
        role = Role(options["role"])
        with transaction.atomic():
            user = User.objects.filter(email=email).first()
            if user is None:
                if not options["create"]:
                    raise CommandError("No user with that e-mail; pass --create to make one.")
                user = self._create(email, role)
            else:
                self._check(user, role)
            token = api_token_create(user=user)
        self.stdout.write(token)

    def _check(self, user: User, role: Role) -> None:
        if user.role != role:
            raise CommandError(
                f"{user.email} has the role {user.role!r}, not {role.value!r}. This command "
                "does not change roles; the owner does, in the admin."
            )
        if not user.is_active:
            raise CommandError(f"{user.email} is deactivated; reactivate them first.")
        if role == Role.THERAPIST and not Therapist.objects.filter(user=user).exists():
            self.stderr.write(
                f"Note: {user.email} has no therapist profile, so this token sees no clients "
                "until one is linked to them."
            )

    def _create(self, email: str, role: Role) -> User:
        user = User.objects.create_user(email, None, full_name=email.split("@")[0], role=role)
        self.stderr.write(f"Created {role.label.lower()} {email}, with no password.")
        if role == Role.THERAPIST:
            # A therapist sees the clients of their own profile, so they need one. Unlisted and
            # not taking clients until the owner has written its bio and chosen to list it.
            therapist = Therapist(
                user=user,
                slug=_free_slug(email.split("@")[0]),
                name=user.full_name,
                is_listed=False,
                accepting=Accepting.NO,
            )
            therapist.full_clean(exclude=["bio"])
            therapist.save()
            self.stderr.write(f"Created an unlisted therapist profile ({therapist.slug!r}).")
        return user


def _free_slug(name: str) -> str:
    base = slugify(name)[: SLUG_LENGTH - 4] or "therapist"
    slug, number = base, 1
    while Therapist.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug
