"""The owner sees who looked at a client's record, from the client's page, and exports it."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from alliance.clients.models import Client
from alliance.demo.checkins import DEMO_EMAIL

from .conftest import PageFactory, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_the_owner_sees_who_opened_a_record_and_downloads_it(new_page: PageFactory) -> None:
    jamie = Client.objects.get(email=DEMO_EMAIL)
    marisol = new_page(1280)
    sign_in(marisol, "marisol@sabal.test")
    marisol.goto(f"/staff/clients/{jamie.uuid}/")
    expect(marisol.get_by_role("heading", level=1)).to_contain_text("Jamie Rivera")
    # A therapist gets neither the download nor the audit.
    expect(marisol.get_by_role("link", name="Who looked")).to_have_count(0)

    owner = new_page(1280)
    sign_in(owner, "owner@sabal.test")
    owner.goto(f"/staff/clients/{jamie.uuid}/")
    owner.get_by_role("link", name="Who looked").click()
    expect(owner).to_have_url(re.compile(rf"/staff/audit/\?client={jamie.uuid}$"))
    rows = owner.locator("table tbody tr")
    expect(rows).to_have_count(2)  # the owner just now, and Marisol before
    expect(rows.nth(1)).to_contain_text("Marisol Vega")
    expect(rows.nth(1)).to_contain_text("client page")
    assert_accessible(owner)
    screenshot(owner, "audit-1280")

    with owner.expect_download() as download:
        owner.get_by_role("button", name="Download as CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:4] == ["at_utc", "user_email", "user_name", "role"]
    assert [line[1] for line in lines[1:]] == ["owner@sabal.test", "marisol@sabal.test"]
