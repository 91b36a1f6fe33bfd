"""The one clinician rule: the owner and therapists read clinical records, the front desk and
clients never, whichever app the page or form belongs to."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from alliance.accounts.access import clinician_required
from alliance.accounts.models import CLINICAL_ROLES, Role, User
from alliance.practice.forms import PracticeForm
from tests.conftest import Personas


@clinician_required
def clinical_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("clinical")


def opened_by(user: User | AnonymousUser) -> HttpResponse:
    request = RequestFactory().get("/clinical/")
    request.user = user
    return clinical_page(request)  # type: ignore[return-value]


def test_the_clinical_roles_are_the_owner_and_therapists() -> None:
    assert set(CLINICAL_ROLES) == {Role.OWNER, Role.THERAPIST}


def test_it_lets_the_owner_and_therapists_in(personas: Personas) -> None:
    assert opened_by(personas.owner).status_code == 200
    assert opened_by(personas.therapist).status_code == 200


def test_it_refuses_the_front_desk_and_clients(personas: Personas) -> None:
    assert opened_by(personas.frontdesk).status_code == 403
    assert opened_by(personas.client).status_code == 403


def test_it_sends_a_stranger_to_sign_in(personas: Personas) -> None:
    response = opened_by(AnonymousUser())
    assert response.status_code == 302
    assert "next=/clinical/" in response["Location"]


def test_it_refuses_a_deactivated_therapist(personas: Personas) -> None:
    personas.therapist.is_active = False
    personas.therapist.save()
    assert opened_by(personas.therapist).status_code == 403


def test_the_designated_clinician_is_chosen_from_the_same_roles(personas: Personas) -> None:
    field = PracticeForm().fields["designated_clinician"]
    offered = set(field.queryset)  # type: ignore[attr-defined]
    assert offered == {personas.owner, personas.therapist, personas.colleague}
