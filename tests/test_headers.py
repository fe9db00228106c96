"""Security headers on every route of the url map: the nonce-based CSP, no-store, HSTS and the __Host- cookie."""

import re

import pytest

from app.config import session_cookie
from tests import factories as f
from tests.routes import every_route

NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{16,})'")
TAG = re.compile(r"<(script|style|link)\b[^>]*>", re.IGNORECASE)
INLINE_ATTRIBUTE = re.compile(r"<[a-z][^>]*?\s(on[a-z]+|style|hx-on[^\s=]*)\s*=", re.IGNORECASE)
FIXED = {
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def csp_problems(response) -> list[str]:
    """What is wrong with this response's policy, and with the page's tags when it is HTML."""
    directives = policy(response)
    if not directives:
        return ["no Content-Security-Policy"]
    problems = [f"{name} is {directives.get(name)}" for name, want in FIXED.items() if directives.get(name) != want]
    nonce = None
    for name in ("script-src", "style-src"):
        sources = directives.get(name, [])
        found = NONCE.fullmatch(sources[1]) if len(sources) > 1 else None
        if sources[:1] != ["'self'"] or not found or any("unsafe" in s for s in sources):
            problems.append(f"{name} is {sources}")
        nonce = found.group(1) if found else nonce
    if response.mimetype == "text/html":
        problems += page_problems(response.get_data(as_text=True), nonce)
    return problems


def page_problems(html: str, nonce: str | None) -> list[str]:
    """Scripts and stylesheets without the nonce, inline handlers and style attributes: all blocked by the CSP."""
    problems = [f"inline attribute {m.group(1)!r}" for m in INLINE_ATTRIBUTE.finditer(html)]
    for tag in TAG.finditer(html):
        text = tag.group(0)
        if tag.group(1).lower() == "link" and "stylesheet" not in text:
            continue
        if f'nonce="{nonce}"' not in text:
            problems.append(f"no nonce: {text}")
    return problems


@pytest.fixture
def signed_in(request, client, login, admin, collector, assigned_account):
    """A client signed in as the parametrized role ("anonymous" stays signed out), and ids of real records."""
    if request.param != "anonymous":
        login({"admin": admin, "collector": collector}[request.param])
    return client, {"account_id": assigned_account.id, "collector_id": collector.id}


def sweep(app, client, ids) -> list[tuple[str, str, object]]:
    """Request every route with every method (POSTs carry a CSRF token) and return the responses."""
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    responses = []
    for method, url in every_route(app, ids):
        data = {"csrf_token": token} if method != "GET" else None
        responses.append((method, url, client.open(url, method=method, data=data)))
    return responses


@pytest.mark.parametrize("signed_in", ["anonymous", "admin", "collector"], indirect=True)
def test_every_route_answers_with_a_nonce_csp_that_the_page_obeys(app, signed_in):
    client, ids = signed_in
    responses = sweep(app, client, ids)
    problems = [f"{m} {url} ({r.status_code}): {p}" for m, url, r in responses for p in csp_problems(r)]
    assert problems == []
    nonces = [NONCE.search(r.headers["Content-Security-Policy"]).group(1) for _, _, r in responses]
    assert len(set(nonces)) == len(nonces), "a nonce was reused"
    assert len(responses) > 40  # the whole url map was swept, not one blueprint
    assert any(r.status_code == 200 and r.mimetype == "text/html" for _, _, r in responses)


@pytest.mark.parametrize("signed_in", ["admin", "collector"], indirect=True)
def test_every_authenticated_page_is_no_store_and_static_files_stay_cacheable(app, signed_in):
    client, ids = signed_in
    responses = sweep(app, client, ids)
    stored = [f"{m} {url}" for m, url, r in responses if "/static/" not in url and r.cache_control.no_store is not True]
    assert stored == []
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and not static.cache_control.no_store


def test_pages_reference_only_static_scripts_without_inline_code(client):
    html = client.get("/login").get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.DOTALL)
    assert scripts and all(body.strip() == "" for body in scripts)
    assert '"includeIndicatorStyles": false' in html and '"allowEval": false' in html


def test_the_pay_page_alone_allows_stripe(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_JS_URL", "https://js.stripe.com/v3/")
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "https://api.stripe.com")
    pay = policy(client.get("/payments/pay/no-such-token"))
    assert "https://js.stripe.com" in pay["script-src"] and "https://js.stripe.com" in pay["frame-src"]
    assert "https://api.stripe.com" in pay["connect-src"]
    login_page = policy(client.get("/login"))
    assert "https://js.stripe.com" not in " ".join(sum(login_page.values(), []))
    assert login_page["frame-src"] == ["'none'"] and login_page["connect-src"] == ["'self'"]


def test_local_dev_sends_no_hsts_and_a_plain_session_cookie(client, web, admin):
    response = web.login(admin)
    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["Set-Cookie"].startswith("session=")


@pytest.fixture
def production_cookies(app, monkeypatch):
    for name, value in session_cookie(True).items():
        monkeypatch.setitem(app.config, name, value)


def test_production_sends_hsts_and_a_host_prefixed_session_cookie(client, production_cookies, admin):
    page = client.get("/login", base_url="https://debtflow.example")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
    form = {"username": admin.username, "password": f.PASSWORD, "csrf_token": token}
    referer = {"Referer": "https://debtflow.example/login"}  # Flask-WTF checks it over HTTPS
    response = client.post("/login", data=form, base_url="https://debtflow.example", headers=referer)
    assert response.status_code == 303
    (cookie,) = response.headers.getlist("Set-Cookie")
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain=" not in cookie
    assert client.get("/analytics/", base_url="https://debtflow.example").status_code == 200  # the cookie works
