"""Phone numbers are shown as typed and dialled from a link with no spaces or punctuation (a
`tel:` address with a space is invalid HTML)."""

import re

from django.test import Client
from django.urls import reverse

from alliance.practice.models import Practice
from tests.booking.test_inbox import make_request
from tests.conftest import Personas, signed_in

TEL = re.compile(r'href="(tel:[^"]*)"')


def test_the_practice_number_is_dialled_in_e164_and_shown_as_typed(personas: Personas) -> None:
    Practice.objects.filter(pk=1).update(phone="(239) 555-0142")
    page = Client().get(reverse("practice:crisis")).content.decode()
    assert '<a href="tel:+12395550142">(239) 555-0142</a>' in page
    assert set(TEL.findall(page)) == {"tel:+12395550142", "tel:988", "tel:911"}


def test_a_request_s_number_is_dialled_without_its_punctuation(personas: Personas) -> None:
    item = make_request("Avery", personas.tara, phone="239-555-0100")
    page = (
        signed_in(personas.frontdesk)
        .get(reverse("booking:request_detail", kwargs={"request_uuid": item.uuid}))
        .content.decode()
    )
    assert '<a href="tel:+12395550100">239-555-0100</a>' in page
