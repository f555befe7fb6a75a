"""The workspace in a real browser: sign-in by keyboard, deep links, phase moves, stale edits,
roles, CSRF, cookies, accessibility (axe-core) and screenshots of every page."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.web.browser.conftest import PASSWORD, Server, axe_violations, screenshots, sign_in

NewContext = Callable[[], BrowserContext]


def _signed_in_page(new_context: NewContext, server: Server, role: str) -> Page:
    page = new_context().new_page()
    page.goto("/")
    sign_in(page, server.emails[role])
    expect(page.locator("h1")).to_have_text("Programme home")
    return page


def _focused(page: Page) -> str:
    script = "document.activeElement && (document.activeElement.id || document.activeElement.textContent.trim())"
    return str(page.evaluate(script))


def _tab_to(page: Page, target: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page) == target:
            return
    raise AssertionError(f"{target!r} is not reachable with Tab (stuck at {_focused(page)!r})")


def test_sign_in_by_keyboard_and_sign_out(new_context: NewContext, server: Server) -> None:
    page = new_context().new_page()
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Sign in")
    screenshots(page, "sign-in")
    _tab_to(page, "f-email")
    page.keyboard.type(server.emails["lead"])
    page.keyboard.press("Tab")
    assert _focused(page) == "f-password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert _focused(page) == "Sign in"  # the submit button
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Programme home")
    expect(page.locator(".me__name")).to_contain_text("Maya Okafor")
    page.click("button:has-text('Sign out')")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Sign in")  # the session really ended


def test_wrong_password_is_said_on_the_page(new_context: NewContext, server: Server) -> None:
    page = new_context().new_page()
    page.goto("/sign-in")
    sign_in(page, server.emails["viewer"], "not the password")
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")


def test_session_cookie_flags(new_context: NewContext, server: Server) -> None:
    page = _signed_in_page(new_context, server, "viewer")
    cookie = next(c for c in page.context.cookies() if c["name"] == "tracker_session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["secure"] is False  # plain http on loopback; Secure over https (unit-tested)
    assert page.evaluate("document.cookie").find("tracker_session") == -1  # not readable by script


def test_ticket_backlink_lands_on_the_item_after_sign_in(new_context: NewContext, server: Server) -> None:
    item_id = server.items["deep_link"]
    page = new_context().new_page()
    page.goto(f"{server.url}/action-items/{item_id}")  # as pasted into the Jira ticket
    expect(page.locator("h1")).to_have_text("Sign in")
    assert "next=/app/action-items/" in page.url
    sign_in(page, server.emails["owner"])
    assert page.url == f"{server.url}/app/action-items/{item_id}"
    expect(page.locator("#phase-title")).to_have_text("Phase")


def test_phase_move_from_the_item_page_by_keyboard(new_context: NewContext, server: Server) -> None:
    item_id = server.items["move"]
    page = _signed_in_page(new_context, server, "owner")
    page.goto(f"/app/action-items/{item_id}")
    current = page.locator("#phase p").first.inner_text()
    button = page.locator("#phase button:not([disabled])").first
    label = button.inner_text()
    target = label.removeprefix("Move to ").strip()
    page.evaluate("window.stillTheSamePage = true")
    _tab_to(page, label)
    with page.expect_request(f"**/app/action-items/{item_id}/phase") as posted:
        page.keyboard.press("Enter")  # htmx posts the form and swaps the item block
    assert posted.value.headers.get("hx-request") == "true"
    assert posted.value.headers.get("x-csrf-token")  # from hx-headers:inherited on <body>
    expect(page.locator("#phase p").first).to_contain_text(target.capitalize())
    assert page.evaluate("window.stillTheSamePage === true")  # swapped in place, no reload
    assert current != page.locator("#phase p").first.inner_text()
    expect(page.locator("#activity")).to_contain_text("phase changed")
    page.reload()
    expect(page.locator("#phase p").first).to_contain_text(target.capitalize())


def test_a_stale_edit_shows_who_changed_what(new_context: NewContext, server: Server) -> None:
    item_id = server.items["stale"]
    lead = _signed_in_page(new_context, server, "lead")
    lead.goto(f"/app/action-items/{item_id}")
    owner = _signed_in_page(new_context, server, "owner")
    owner.goto(f"/app/action-items/{item_id}")
    owner.locator("#phase button:not([disabled]):not(.button--danger)").first.click()
    expect(owner.locator("#activity li").first).to_contain_text("phase changed")
    # The lead's page still shows the old version; their move must not overwrite the owner's.
    lead.locator("#phase button:not([disabled]):not(.button--danger)").first.click()
    alert = lead.get_by_role("alert")
    expect(alert).to_contain_text("Someone changed this item")
    expect(alert).to_contain_text("Luis Fernandez")
    expect(alert).to_contain_text("→")
    screenshots(lead, "item-stale")


def test_a_viewer_sees_no_controls_and_the_server_refuses_a_forged_post(
        new_context: NewContext, server: Server) -> None:
    item_id = server.items["move"]
    page = _signed_in_page(new_context, server, "viewer")
    page.goto(f"/app/action-items/{item_id}")
    expect(page.locator("#phase")).to_contain_text("Its owner or a lead can change it")
    assert page.locator("#phase button").count() == 0
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    r = page.request.post(f"/app/action-items/{item_id}/phase",
                          form={"to": "training", "version": "1", "csrf_token": token})
    assert r.status == 403 and "you are viewer" in r.text()
    screenshots(page, "item-viewer")


def test_a_request_without_the_csrf_token_is_refused(new_context: NewContext, server: Server) -> None:
    item_id = server.items["move"]
    page = _signed_in_page(new_context, server, "lead")
    r = page.request.post(f"/app/action-items/{item_id}/phase", form={"to": "blocked", "version": "1",
                                                                       "reason": "forged"})
    assert r.status == 403 and "security token" in r.text()
    r = page.request.post("/sign-out", form={})
    assert r.status == 403
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Programme home")  # still signed in


def test_every_page_passes_axe_and_is_photographed(new_context: NewContext, server: Server) -> None:
    anonymous = new_context().new_page()
    pages: list[tuple[str, Page, str]] = [("sign-in", anonymous, "/sign-in")]
    lead = _signed_in_page(new_context, server, "lead")
    admin = _signed_in_page(new_context, server, "admin")
    pages += [("home", lead, "/"), ("item", lead, f"/app/action-items/{server.items['deep_link']}"),
              ("account", lead, "/app/account"), ("account-password", lead, "/app/account/password"),
              ("not-found", lead, "/app/no-such-page"),
              ("training", lead, "/app/training"), ("activity", lead, "/app/activity"),
              ("activity-filtered", lead, "/app/activity?source=web"),
              ("people", admin, "/app/people"), ("person", admin, "/app/people/1"),
              ("teams", lead, "/app/teams"), ("team-1", lead, "/app/teams/1"),
              ("integration-health", admin, "/app/health")]
    for name, page, url in pages:
        page.goto(url)
        assert axe_violations(page) == [], name
        screenshots(page, name)
    # An invitation, then the page its link opens (in a browser that is not signed in).
    admin.goto("/app/people")
    admin.fill("#f-name", "Rosa Diaz")
    admin.fill("#f-email", "rosa.diaz@example.com")
    admin.select_option("#f-role", "owner")
    admin.click("button:has-text('Invite and make a link')")
    link = admin.locator("#issued-link").input_value()
    assert axe_violations(admin) == []
    screenshots(admin, "people-invited")
    anonymous.goto(link)
    expect(anonymous.locator("h1")).to_have_text("Welcome, Rosa Diaz")
    assert axe_violations(anonymous) == []
    screenshots(anonymous, "set-password")
    anonymous.fill("#f-password", "rosa's new passphrase")
    anonymous.fill("#f-confirm", "rosa's new passphrase")
    anonymous.click("button[type=submit]")
    expect(anonymous.locator("h1")).to_have_text("Programme home")


def test_api_reference_pages_load_offline(chromium: Browser, server: Server) -> None:
    """Swagger UI and ReDoc come from our vendored files. ReDoc's bundle hard-codes its
    maker's logo; the CSP stops that request in the browser (it never reaches the network)
    and ReDoc hides the image. Nothing else may even be attempted."""
    context = chromium.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    attempted: list[str] = []
    blocked: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((server.url, "data:", "blob:"))
            else attempted.append(r.url))
    page.on("requestfailed", lambda r: blocked.append(r.url) if r.failure == "csp" else None)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tracker", timeout=30_000)
    screenshots(page, "docs")
    assert attempted == [], attempted
    page.goto("/redoc")
    # ReDoc parses the whole OpenAPI document in the browser before it draws: on a loaded
    # 2-core machine that can take longer than the default 5 s.
    expect(page.locator("h1").first).to_contain_text("Tracker", timeout=30_000)
    page.wait_for_timeout(300)
    assert set(attempted) <= {"https://cdn.redoc.ly/redoc/logo-mini.svg"}, attempted
    assert sorted(blocked) == sorted(attempted), (attempted, blocked)
    context.close()
