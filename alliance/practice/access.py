from django.shortcuts import get_object_or_404

from alliance.accounts.models import Role, User
from alliance.practice.models import Therapist


def get_therapist_for_user(user: User, slug: str) -> Therapist:
    """The owner edits every profile; a therapist only their own."""
    therapists = Therapist.objects.all()
    if user.role != Role.OWNER:
        therapists = therapists.filter(user=user)
    return get_object_or_404(therapists, slug=slug)


def get_listed_therapist(slug: str) -> Therapist:
    """Public pages show only profiles the practice chose to list."""
    return get_object_or_404(Therapist.objects.listed().with_terms(), slug=slug)
