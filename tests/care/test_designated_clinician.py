"""The designated clinician, told of a risk alert, opens that client's page and acts on the alert
while it is open; nothing else of the practice's clinical records opens to them."""

import pytest

from alliance.care.models import Alert, AlertState, PlanItem
from alliance.clients.models import Client
from alliance.practice.models import Practice
from tests.care.test_alerts import risk_alert
from tests.conftest import Personas, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def theo_designated(personas: Personas) -> Alert:
    """Theo is the practice's designated clinician; Tara's client Riley has an open risk alert."""
    Practice.objects.filter(pk=1).update(designated_clinician=personas.colleague)
    return risk_alert(personas)


def page_of(client: Client) -> str:
    return f"/staff/clients/{client.uuid}/"


def alert_url(alert: Alert) -> str:
    return f"/staff/alerts/{alert.uuid}/"


def test_it_opens_the_client_page_and_the_alert_to_the_designated_clinician(
    personas: Personas, theo_designated: Alert
) -> None:
    theo = signed_in(personas.colleague)
    response = theo.get(page_of(theo_designated.client))
    assert response.status_code == 200
    assert f'id="alert-{theo_designated.uuid}"' in response.content.decode()
    theo.post(alert_url(theo_designated), {"to": "acknowledged"})
    theo_designated.refresh_from_db()
    assert theo_designated.state == AlertState.ACKNOWLEDGED
    assert theo.get(page_of(theo_designated.client)).status_code == 200  # still to be resolved
    theo.post(alert_url(theo_designated), {"to": "resolved", "action": "safety_plan"})
    theo_designated.refresh_from_db()
    assert theo_designated.state == AlertState.RESOLVED


def test_it_closes_the_page_to_the_designated_clinician_once_the_alert_is_resolved(
    personas: Personas, theo_designated: Alert
) -> None:
    signed_in(personas.therapist).post(
        alert_url(theo_designated), {"to": "resolved", "action": "talked_through"}
    )
    theo = signed_in(personas.colleague)
    assert theo.get(page_of(theo_designated.client)).status_code == 404
    reopened = theo.post(alert_url(theo_designated), {"to": "acknowledged"})
    assert reopened.status_code == 404


def test_it_opens_no_other_client_and_no_other_kind_of_alert(
    personas: Personas, theo_designated: Alert
) -> None:
    other = Client.objects.create(name="Other Person", therapist=personas.tara)
    rupture_only = Alert.objects.create(kind="rupture", client=other, therapist=personas.tara)
    rupture_beside = Alert.objects.create(
        kind="rupture", client=theo_designated.client, therapist=personas.tara
    )
    theo = signed_in(personas.colleague)
    assert theo.get(page_of(other)).status_code == 404
    assert theo.post(alert_url(rupture_only), {"to": "acknowledged"}).status_code == 404
    assert theo.post(alert_url(rupture_beside), {"to": "acknowledged"}).status_code == 404
    page = theo.get(page_of(theo_designated.client)).content.decode()
    assert f'id="alert-{rupture_beside.uuid}"' not in page
    rupture_beside.refresh_from_db()
    assert rupture_beside.state == AlertState.OPEN


def test_the_designated_clinician_does_not_change_the_treatment_plan(
    personas: Personas, theo_designated: Alert
) -> None:
    client = theo_designated.client
    page = signed_in(personas.colleague).get(page_of(client)).content.decode()
    assert "Measurement plan" in page
    assert "Save the plan" not in page  # shown, not offered
    assert "Save the plan" in signed_in(personas.therapist).get(page_of(client)).content.decode()
    before = dict(PlanItem.objects.values_list("instrument", "frequency"))
    response = signed_in(personas.colleague).post(f"{page_of(client)}plan/", {"plan-phq9": "off"})
    assert response.status_code == 404
    assert dict(PlanItem.objects.values_list("instrument", "frequency")) == before


def test_a_colleague_who_is_not_designated_may_not(personas: Personas) -> None:
    alert = risk_alert(personas)
    theo = signed_in(personas.colleague)
    assert theo.get(page_of(alert.client)).status_code == 404
    assert theo.post(alert_url(alert), {"to": "acknowledged"}).status_code == 404


def test_the_front_desk_may_not_even_when_designated(personas: Personas) -> None:
    # The practice form offers only clinicians; a stale choice still opens nothing clinical.
    Practice.objects.filter(pk=1).update(designated_clinician=personas.frontdesk)
    alert = risk_alert(personas)
    desk = signed_in(personas.frontdesk)
    assert desk.get(page_of(alert.client)).status_code == 403
    assert desk.post(alert_url(alert), {"to": "acknowledged"}).status_code == 403


def test_the_owner_still_may_before_and_after_resolving(
    personas: Personas, theo_designated: Alert
) -> None:
    owner = signed_in(personas.owner)
    assert owner.get(page_of(theo_designated.client)).status_code == 200
    owner.post(alert_url(theo_designated), {"to": "resolved", "action": "consulted"})
    theo_designated.refresh_from_db()
    assert theo_designated.state == AlertState.RESOLVED
    assert owner.get(page_of(theo_designated.client)).status_code == 200
