"""The sign-in options in real headless Chromium. Tess turns on a second factor from My
account and signs in with a code; Sam signs in with his organisation's identity provider
(a provider on another site, localhost, so the trip back is a real cross-site
navigation and the cookies' SameSite settings are put to the test). axe-core finds no
WCAG 2.2 AA problem on the new pages, at 1280 px and 390 px."""

from __future__ import annotations

import re
import threading
import time

import pyotp
import pytest

from attunement.server import oidc

from .browsing import check_everywhere as check_at_both_widths
from .browsing import needs_chromium
from .conftest import free_port
from .oidc_provider import CLIENT_ID, CLIENT_SECRET, TestProvider
from .server_world import PASSWORD, build_world

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    import uvicorn

    tmp = tmp_path_factory.mktemp("signin-browser")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    world = build_world(tmp, key_file=str(tmp / "server.key"), public_url=base)
    server = uvicorn.Server(
        uvicorn.Config(
            world.app, host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    with TestProvider(host="localhost") as provider:
        yield world, base, provider
    server.should_exit = True
    thread.join(timeout=10)


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/signin")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_member_sets_up_a_code_and_signs_in_with_it(served, browser):
    world, base, _provider = served
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in(page, base, "tess@example.org")
    page.wait_for_url(base + "/")
    page.get_by_role("link", name="My account").click()
    page.get_by_role("link", name=re.compile("Second factor")).click()
    check_at_both_widths(page, "server-two-factor")
    page.get_by_role("button", name="Set up a second factor").click()
    assert page.locator("figure.qr svg").count() == 1
    check_at_both_widths(page, "server-two-factor-setup")
    key = page.locator("code.digest").first.inner_text()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Turn on").click()
    assert page.locator("ul.codes li").count() == 10
    check_at_both_widths(page, "server-recovery-codes")

    # A fresh browser: the password leads to the code page, the code to her shares.
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in(page, base, "tess@example.org")
    page.wait_for_url(base + "/signin/code")
    check_at_both_widths(page, "server-signin-code")
    page.get_by_label("Code").fill(pyotp.TOTP(key).at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    assert page.get_by_role("button", name="Sign out Tess").count() == 1


def test_a_member_signs_in_with_the_identity_provider(served, browser):
    world, base, provider = served
    ada = browser.new_context(bypass_csp=True).new_page()
    sign_in(ada, base, "ada@example.org")
    ada.wait_for_url(base + "/")
    ada.goto(base + "/admin/sign-in")
    ada.get_by_label("Issuer URL").fill(provider.url)
    ada.get_by_label("Client id").fill(CLIENT_ID)
    ada.get_by_label("Client secret").fill(CLIENT_SECRET)
    ada.get_by_label("Allowed e-mail domain").fill("example.org")
    ada.get_by_label("Name on the button").fill("Hospice Login")
    ada.get_by_role("button", name="Save").last.click()
    ada.wait_for_url(re.compile(r".*/admin/sign-in\?note=saved$"))
    check_at_both_widths(ada, "server-signin-options")
    assert oidc.redirect_uri(world.config) in ada.content()

    provider.signs_in("sam@example.org")
    sam = browser.new_context(bypass_csp=True).new_page()
    sam.goto(base + "/signin")
    sam.get_by_role("link", name="Sign in with Hospice Login").click()
    # localhost (the provider) sends him back to 127.0.0.1: another site. The callback's
    # page moves on by itself, and the session cookie goes with that navigation.
    sam.wait_for_url(base + "/")
    assert sam.get_by_role("button", name="Sign out Sam").count() == 1

    provider.signs_in("sam@example.org", verified=False)
    other = browser.new_context(bypass_csp=True).new_page()
    other.goto(base + "/signin")
    other.get_by_role("link", name="Sign in with Hospice Login").click()
    other.wait_for_url(re.compile(r".*/signin/oidc/callback.*"))
    assert "has not verified" in other.content()
    check_at_both_widths(other, "server-oidc-refused")
    other.goto(base + "/")
    other.wait_for_url(base + "/signin")
