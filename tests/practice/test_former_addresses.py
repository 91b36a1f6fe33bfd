"""A profile's address may change; the old one keeps leading to it, so links in e-mails,
calendars and search results still work."""

from django.test import Client
from django.urls import reverse

from alliance.practice.models import Therapist
from tests.conftest import Personas, signed_in
from tests.practice.test_staff_pages import therapist_data


def rename(personas: Personas, therapist: Therapist, slug: str) -> None:
    url = reverse("practice:therapist_edit", args=[therapist.slug])
    response = signed_in(personas.owner).post(url, therapist_data(therapist, slug=slug))
    assert response.status_code == 302, response.content.decode()[:2000]
    therapist.refresh_from_db()
    assert therapist.slug == slug


def test_the_old_address_of_a_profile_leads_to_the_new_one(personas: Personas) -> None:
    rename(personas, personas.tara, "tara-tate-lcsw")
    visitor = Client()
    for old, new in (
        ("/therapists/tara-tate/", "/therapists/tara-tate-lcsw/"),
        ("/therapists/tara-tate/photo/", "/therapists/tara-tate-lcsw/photo/"),
        (
            "/therapists/tara-tate/book/?type=session",
            "/therapists/tara-tate-lcsw/book/?type=session",
        ),
        ("/therapists/tara-tate/waitlist/", "/therapists/tara-tate-lcsw/waitlist/"),
    ):
        response = visitor.get(old)
        assert (response.status_code, response["Location"]) == (302, new), old
    assert visitor.get("/therapists/tara-tate-lcsw/").status_code == 200


def test_an_address_changed_twice_still_leads_from_the_first(personas: Personas) -> None:
    rename(personas, personas.tara, "tara-t")
    rename(personas, personas.tara, "tara-tate-lcsw")
    for old in ("/therapists/tara-tate/", "/therapists/tara-t/"):
        response = Client().get(old)
        assert (response.status_code, response["Location"]) == (302, "/therapists/tara-tate-lcsw/")


def test_taking_back_an_old_address_leaves_no_loop(personas: Personas) -> None:
    rename(personas, personas.tara, "tara-t")
    rename(personas, personas.tara, "tara-tate")
    assert Client().get("/therapists/tara-tate/").status_code == 200
    response = Client().get("/therapists/tara-t/")
    assert (response.status_code, response["Location"]) == (302, "/therapists/tara-tate/")


def test_another_profile_cannot_take_an_address_that_still_leads_somewhere(
    personas: Personas,
) -> None:
    rename(personas, personas.tara, "tara-tate-lcsw")
    other = Therapist.objects.exclude(pk=personas.tara.pk).first()
    assert other is not None
    url = reverse("practice:therapist_edit", args=[other.slug])
    response = signed_in(personas.owner).post(url, therapist_data(other, slug="tara-tate"))
    assert response.status_code == 200
    assert "still leads to Tara Tate" in response.content.decode()
    other.refresh_from_db()
    assert other.slug != "tara-tate"


def test_an_address_that_never_was_is_still_not_found(personas: Personas) -> None:
    assert Client().get("/therapists/no-one/").status_code == 404
