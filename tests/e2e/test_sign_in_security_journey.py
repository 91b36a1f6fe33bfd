"""A therapist turns on two-step sign-in and signs in with it, on a desktop and then a phone."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.accounts.test_mfa import totp

from .conftest import DEMO_PASSWORD, PageFactory, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_a_therapist_turns_on_sign_in_codes_and_signs_in_with_a_recovery_code(
    new_page: PageFactory,
) -> None:
    page = new_page(1280)
    sign_in(page, "marisol@sabal.test")
    page.get_by_role("link", name="Sign-in security").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in security")
    assert_accessible(page)
    page.get_by_role("link", name="Set up an authenticator app").click()

    # Changing how one signs in asks for the password again.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, "mfa-setup-1280")
    secret = page.locator("form code").inner_text()
    page.get_by_label("Authenticator code").fill(totp(secret, datetime.now(UTC)))
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    codes = page.locator("ul.codes code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    screenshot(page, "mfa-recovery-codes-1280")
    page.get_by_role("button", name="Sign out").click()

    # Later, on a phone without the app to hand: password, then a recovery code.
    phone = new_page(360)
    phone.goto("/staff/sign-in/")
    phone.locator("#id_login").fill("marisol@sabal.test")
    phone.locator("#id_password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    assert_accessible(phone)
    screenshot(phone, "mfa-code-360")
    phone.get_by_label("Code").fill(codes[0])
    phone.get_by_role("button", name="Sign in").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Trust this browser?")
    assert_accessible(phone)
    screenshot(phone, "mfa-trust-360")
    phone.get_by_role("button", name="Ask every time").click()
    expect(phone).to_have_url(re.compile(r"/staff/$"))
