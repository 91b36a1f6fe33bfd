"""GET /api/v1/therapists: the directory, as data."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alliance.practice.models import Approach, Language, Practice, Specialty, Therapist
from tests.api.helpers import get
from tests.conftest import Personas, make_therapist, signed_in


def test_it_lists_only_the_listed_therapists() -> None:
    shown = make_therapist("ana-alvarez", accepting="waitlist")
    make_therapist("hidden-hal", is_listed=False)
    assert [therapist["id"] for therapist in get("/therapists").json()] == [shown.pk]


def test_it_gives_terms_as_slugs_formats_and_the_practice_zone() -> None:
    Practice.objects.update_or_create(pk=1, defaults={"time_zone": "America/Chicago"})
    therapist = make_therapist("ana-alvarez", accepting="no", offers_in_person=False)
    therapist.specialties.add(Specialty.objects.create(slug="grief", name="Grief"))
    therapist.approaches.add(Approach.objects.create(slug="cbt", name="CBT"))
    therapist.languages.add(
        Language.objects.create(slug="spanish", name="Spanish"),
        Language.objects.create(slug="english", name="English"),
    )
    assert get("/therapists").json() == [
        {
            "id": therapist.pk,
            "name": "Ana Alvarez",
            "accepting_new_clients": "no",
            "specialties": ["grief"],
            "approaches": ["cbt"],
            "languages": ["english", "spanish"],
            "formats": ["telehealth"],
            "timezone": "America/Chicago",
        }
    ]


def _with_terms(slug: str) -> Therapist:
    therapist = make_therapist(slug)
    therapist.specialties.add(Specialty.objects.create(slug=f"{slug}-s", name=slug))
    therapist.approaches.add(Approach.objects.create(slug=f"{slug}-a", name=slug))
    therapist.languages.add(Language.objects.create(slug=f"{slug}-l", name=slug))
    return therapist


def _queries_for_the_list() -> int:
    with CaptureQueriesContext(connection) as queries:
        assert get("/therapists").status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_directory() -> None:
    Practice.objects.current()
    _with_terms("first")
    one = _queries_for_the_list()
    for number in range(8):
        _with_terms(f"more-{number}")
    assert len(get("/therapists").json()) == 9
    assert _queries_for_the_list() == one


def test_it_is_the_same_for_everyone(personas: Personas) -> None:
    """Public: a sign-in neither opens more nor is needed (nothing here is about a client)."""
    stranger = Client().get("/api/v1/therapists").json()
    for user in (personas.owner, personas.therapist, personas.client):
        assert signed_in(user).get("/api/v1/therapists").json() == stranger
    assert {therapist["name"] for therapist in stranger} == {"Tara Tate", "Theo Tran"}
