"""Server-side session expiry (idle and absolute), last seen, and the "Your sessions" page."""

from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import UserSession
from app.extensions import db
from app.timeutil import utcnow
from tests import factories as f
from tests.conftest import FreshGlobalsClient, Web

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148"


def signed_in(app, user, agent: str = FIREFOX, address: str = "127.0.0.1") -> Web:
    client = FreshGlobalsClient(app, app.response_class)
    client.environ_base.update(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    web = Web(client)
    assert web.login(user).status_code == 303
    return web


def token_of(web: Web) -> str:
    with web.client.session_transaction() as session:
        return session["_user_id"]


def row_of(web: Web) -> UserSession:
    return db.session.get(UserSession, token_of(web), populate_existing=True)


def test_an_idle_session_ends_after_the_idle_timeout(app, collector, clock):
    web = signed_in(app, collector)
    clock.advance(timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1))
    assert web.get("/worklist").status_code == 200
    clock.advance(timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))
    response = web.get("/worklist")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_idle_timeout_is_configurable(app, collector, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    web = signed_in(app, collector)
    clock.advance(timedelta(minutes=6))
    assert web.get("/worklist").status_code == 302


def test_a_session_in_use_ends_at_its_absolute_lifetime(app, collector, clock):
    web = signed_in(app, collector)
    step, used = timedelta(minutes=20), timedelta(0)
    while used + step < timedelta(hours=app.config["SESSION_MAX_HOURS"]):
        clock.advance(step)
        used += step
        assert web.get("/worklist").status_code == 200, used
    clock.advance(step)
    assert web.get("/worklist").status_code == 302


def test_a_year_old_session_row_no_longer_works(app, collector):
    old = utcnow() - timedelta(days=365)
    row = UserSession(user_id=collector.id, created_at=old, last_seen_at=utcnow())
    db.session.add(row)
    db.session.commit()
    client = FreshGlobalsClient(app, app.response_class)
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = row.token, True
    assert client.get("/worklist").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(app, collector, clock):
    web = signed_in(app, collector)
    signed_in_at = row_of(web).last_seen_at
    clock.advance(timedelta(seconds=30))
    web.get("/worklist")
    assert row_of(web).last_seen_at == signed_in_at
    clock.advance(timedelta(seconds=40))
    web.get("/worklist")
    assert row_of(web).last_seen_at - signed_in_at >= timedelta(seconds=70)


def test_a_session_records_the_ip_and_device(app, collector):
    row = row_of(signed_in(app, collector, PHONE, "198.51.100.7"))
    assert (row.ip, row.user_agent) == ("198.51.100.7", PHONE)


def test_sessions_page_lists_live_sessions_and_marks_this_one(app, collector, other_collector, clock):
    stale = signed_in(app, collector, "Stale/1.0")
    clock.advance(timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 5))
    phone = signed_in(app, collector, PHONE, "198.51.100.7")
    signed_in(app, other_collector, "Someone-Else/1.0")
    clock.advance(timedelta(minutes=10))  # the stale session is now idle too long
    web = signed_in(app, collector)
    page = web.get("/account/sessions").get_data(as_text=True)
    assert FIREFOX in page and PHONE in page and "198.51.100.7" in page
    assert "Stale/1.0" not in page and "Someone-Else/1.0" not in page
    assert page.count("(this session)") == 1 and page.index("(this session)") > page.index(FIREFOX)
    assert row_of(phone).ref in page and token_of(phone) not in page and row_of(stale).ref not in page


def test_the_user_menu_links_to_the_sessions_page(app, collector):
    assert 'href="/account/sessions"' in signed_in(app, collector).get("/worklist").get_data(as_text=True)


def test_ending_another_session_signs_that_client_out(app, collector):
    phone, web = signed_in(app, collector, PHONE), signed_in(app, collector)
    ref = row_of(phone).ref
    response = web.post(f"/account/sessions/{ref}/end")
    assert response.status_code == 303 and response.headers["Location"] == "/account/sessions"
    assert phone.get("/worklist").status_code == 302
    assert web.get("/worklist").status_code == 200
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.session_ended")).one()
    assert (event.actor_id, event.changes["session"], event.changes["device"]) == (collector.id, ref, PHONE)


def test_ending_this_session_signs_this_browser_out(app, collector):
    web = signed_in(app, collector)
    response = web.post(f"/account/sessions/{row_of(web).ref}/end")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert web.get("/worklist").status_code == 302


def test_ending_a_session_needs_post_and_csrf(app, collector):
    phone, web = signed_in(app, collector, PHONE), signed_in(app, collector)
    url = f"/account/sessions/{row_of(phone).ref}/end"
    assert web.client.get(url).status_code == 405
    assert web.client.post(url).status_code == 400
    assert phone.get("/worklist").status_code == 200


def test_another_users_session_is_not_found(app, collector, agency):
    other = signed_in(app, f.CollectorFactory(agency=agency))
    web = signed_in(app, collector)
    assert web.post(f"/account/sessions/{row_of(other).ref}/end").status_code == 404
    assert web.post("/account/sessions/0123456789abcdef/end").status_code == 404
    assert other.get("/worklist").status_code == 200


def test_sign_in_starts_a_new_session_id(app, collector):
    web = signed_in(app, collector)
    first = token_of(web)
    with web.client.session_transaction() as session:
        session["planted"] = "by someone else"
    web.post("/logout")
    assert web.login(collector).status_code == 303
    assert token_of(web) != first
    with web.client.session_transaction() as session:
        assert "planted" not in session


def test_the_session_a_password_change_starts_keeps_the_device(app, collector):
    web = signed_in(app, collector, PHONE)
    new = "A-much-better-passphrase"
    form = {"current_password": f.PASSWORD, "new_password": new, "confirm": new}
    assert web.post("/account/password", form).status_code == 303
    assert row_of(web).user_agent == PHONE
