"""A debtor chooses a plan or a settlement offer in the portal (a preview page, then confirm), and turns autopay on
with a card saved through a SetupIntent (localstripe), reads the recurring-debit authorization, removes the card."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounts.models import Activity
from app.agencyday import local_today
from app.audit.models import AuditEvent
from app.extensions import db
from app.plans import autopay
from app.plans.models import Frequency, Plan, PlanKind, PlanState, SavedCard
from app.plans.schedule import due_date
from app.plans.settings import set_settlement_bounds
from tests import factories as f

pytestmark = pytest.mark.usefixtures("stripe_config")
D = Decimal
GOOD_CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}


@pytest.fixture
def signed_in(portal, debtor_account):
    assert portal.sign_in(debtor_account.external_ref).status_code == 303
    return portal


@pytest.fixture
def with_bounds(debtor_account, admin, agency):
    """The account's creditor accepts a settlement of up to 20 % off with instalments of at least $50."""
    debtor_account.creditor = f.CreditorFactory(agency_id=agency.id)
    db.session.flush()
    set_settlement_bounds(debtor_account.creditor_id, "20", "50", actor=admin)
    db.session.commit()
    return debtor_account


def day(agency, days: int = 1) -> str:
    return (local_today(agency.timezone) + timedelta(days=days)).isoformat()


def plan_data(agency, **kw) -> dict:
    return {
        "kind": "plan",
        "frequency": "monthly",
        "count": "3",
        "amount": "",
        "total": "",
        "first_due": day(agency),
    } | kw


def ask(portal, account, data: dict, confirm: bool = False):
    return portal.post(f"/accounts/{account.id}/plan", data | ({"action": "confirm"} if confirm else {}))


def plans_of(account) -> list[Plan]:
    return list(db.session.scalars(select(Plan).where(Plan.account_id == account.id)))


def timeline(account) -> list[str]:
    return list(db.session.scalars(select(Activity.body).where(Activity.account_id == account.id)))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def body(response) -> str:
    return response.get_data(as_text=True)


def test_the_preview_shows_the_exact_schedule_and_confirming_agrees_it(signed_in, debtor_account, agency):
    data = plan_data(agency)
    preview = ask(signed_in, debtor_account, data)
    page = body(preview)
    assert preview.status_code == 200 and "Your payment schedule" in page and "3 payments, $400.00 in all." in page
    first = local_today(agency.timezone) + timedelta(days=1)
    dates = [due_date(first, Frequency.MONTHLY, i).isoformat() for i in range(3)]
    for due, amount in zip(dates, ("$133.33", "$133.33", "$133.34"), strict=True):
        assert f'<td>{due}</td><td class="num">{amount}</td>' in page
    assert plans_of(debtor_account) == []  # the preview writes nothing
    agreed = ask(signed_in, debtor_account, data, confirm=True)
    assert agreed.status_code == 303 and agreed.location.endswith("note=plan_agreed#plan")
    [plan] = plans_of(debtor_account)
    assert (plan.kind, plan.state, plan.total, plan.created_by_id) == (PlanKind.PLAN, PlanState.ACTIVE, D("400"), None)
    assert [(i.due_on.isoformat(), i.amount) for i in plan.instalments] == list(
        zip(dates, (D("133.33"), D("133.33"), D("133.34")), strict=True)
    )
    assert f"Plan agreed: $400.00 in 3 monthly instalments from {dates[0]} (portal)" in timeline(debtor_account)
    [event] = events("plan.created")
    assert event.actor_id is None and event.changes["total"]["new"] == "400.00"
    account_page = body(signed_in.get(f"/accounts/{debtor_account.id}?note=plan_agreed"))
    assert "Your plan is set up." in account_page and f"<td>{dates[2]}</td>" in account_page
    assert "$133.34" in account_page and "scheduled" in account_page and "Autopay is off." in account_page


def test_the_schedule_in_spanish(signed_in, debtor_account, agency):
    signed_in.get("/accounts/?lang=es")
    page = body(ask(signed_in, debtor_account, plan_data(agency, frequency="weekly", count="", amount="150.00")))
    assert "Su calendario de pagos" in page and "3 pagos, $400.00 en total." in page and "$100.00" in page


def test_without_bounds_no_settlement_is_offered_and_one_asked_for_is_refused(signed_in, debtor_account, agency):
    page = body(signed_in.get(f"/accounts/{debtor_account.id}"))
    assert "A settlement offer" not in page and 'name="kind" value="plan"' in page
    refused = ask(signed_in, debtor_account, plan_data(agency, kind="settlement", total="390.00", count="1"))
    assert refused.status_code == 422 and "The creditor allows a discount of at most 0.00%" in body(refused)
    assert plans_of(debtor_account) == []


def test_a_settlement_within_the_bounds_is_agreed(signed_in, with_bounds, agency):
    page = body(signed_in.get(f"/accounts/{with_bounds.id}"))
    assert "A settlement offer" in page and "pay at least $320.00" in page
    data = plan_data(agency, kind="settlement", total="320.00", count="2", first_due=day(agency, 0))
    preview = body(ask(signed_in, with_bounds, data))
    assert "$80.00 is forgiven once you have made every payment" in preview and "$160.00" in preview
    assert ask(signed_in, with_bounds, data, confirm=True).status_code == 303
    [plan] = plans_of(with_bounds)
    assert plan.kind == PlanKind.SETTLEMENT and plan.agreed_discount == D("80.00")
    assert [i.amount for i in plan.instalments] == [D("160.00"), D("160.00")]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"total": "319.99", "count": "1"}, "The creditor allows a discount of at most 20.00%: settle for 320.00"),
        ({"total": "320.00", "count": "8"}, "The creditor&#39;s minimum instalment is 50.00."),
        ({"total": "400.00", "count": "1"}, "A settlement is for less than the balance"),
    ],
    ids=["discount-too-large", "instalment-too-small", "not-less"],
)
def test_a_settlement_outside_the_bounds_is_422_and_writes_nothing(signed_in, with_bounds, agency, changes, message):
    for confirm in (False, True):
        response = ask(signed_in, with_bounds, plan_data(agency, kind="settlement", **changes), confirm)
        assert response.status_code == 422 and message in body(response)
    assert plans_of(with_bounds) == []


def test_a_second_plan_is_refused_with_the_reason(signed_in, debtor_account, agency):
    assert ask(signed_in, debtor_account, plan_data(agency), confirm=True).status_code == 303
    again = ask(signed_in, debtor_account, plan_data(agency, count="2"), confirm=True)
    assert again.status_code == 409 and "already has an active promise or plan" in body(again)
    assert len(plans_of(debtor_account)) == 1
    assert "See the schedule" not in body(signed_in.get(f"/accounts/{debtor_account.id}"))  # no form while one runs


def test_another_debtors_or_agencys_account_is_404_and_untouched(signed_in, agency, foreign, admin):
    other = f.AccountFactory(agency=agency)
    for account in (other, foreign.account):
        assert ask(signed_in, account, plan_data(agency), confirm=True).status_code == 404
        assert signed_in.get(f"/accounts/{account.id}/autopay").status_code == 404
        assert signed_in.post(f"/accounts/{account.id}/card").status_code == 404
        assert signed_in.post(f"/accounts/{account.id}/autopay", {"card_id": "1", "agree": "y"}).status_code == 404
        assert plans_of(account) == []


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"count": "99999"}, "This is too long."),
        ({"count": "0"}, "The number of instalments must be 1 to 520."),
        ({"count": "521"}, "The number of instalments must be 1 to 520."),
        ({"count": "x"}, "Enter the number of instalments, e.g. 6."),
        ({"count": "", "amount": "0.001"}, "Enter a positive amount with at most two decimals"),
        ({"count": "3", "amount": "50.00"}, "Give either the number of instalments or the amount of each"),
        ({"count": "", "amount": "0.50"}, "That makes more than 520 instalments"),
        ({"first_due": "1800-01-01"}, "Enter a date between 1900-01-01 and 2200-12-31."),
        ({"first_due": "2026-02-30"}, "Not a valid date value."),
        ({"first_due": ""}, "This field is required."),
        ({"first_due": "2000-01-01"}, "The first due date cannot be in the past."),
        ({"first_due": "2200-12-01"}, "The last instalment would fall after 2200."),
        ({"frequency": "daily"}, "Not a valid choice."),
        ({"kind": "promise"}, "Not a valid choice."),
        ({"kind": "settlement", "total": "1e3"}, "Enter a positive amount with at most two decimals"),
        ({"kind": "settlement", "total": "9" * 21}, "This is too long."),
    ],
    ids=[
        "count-long",
        "count-zero",
        "count-absurd",
        "count-word",
        "amount-fraction",
        "both",
        "too-many",
        "year-1800",
        "no-such-day",
        "no-date",
        "past",
        "beyond-2200",
        "frequency",
        "kind",
        "total-exponent",
        "total-long",
    ],
)
def test_bad_input_is_422_with_the_reason_and_writes_nothing(signed_in, debtor_account, agency, changes, message):
    for confirm in (False, True):
        response = ask(signed_in, debtor_account, plan_data(agency, **changes), confirm)
        assert response.status_code == 422 and message in body(response)
    assert plans_of(debtor_account) == [] and events("plan.created") == []


def test_a_nul_byte_is_refused_and_writes_nothing(signed_in, debtor_account, agency):
    assert ask(signed_in, debtor_account, plan_data(agency, count="3\x00"), confirm=True).status_code == 400
    assert plans_of(debtor_account) == []


def save_card_through_stripe(portal, account, stripe_client) -> str:
    """The debtor's side of card entry: the set-up page, Stripe.js confirming the SetupIntent, the return."""
    page = portal.post(f"/accounts/{account.id}/card")
    html = body(page)
    assert page.status_code == 200 and 'id="card-setup-form"' in html and "js/card.js" in html
    assert "js.stripe.com" in page.headers["Content-Security-Policy"]
    seti = html.split('data-secret="')[1].split("_secret_")[0]
    method = stripe_client.v1.payment_methods.create(params={"type": "card", "card": GOOD_CARD})
    stripe_client.v1.setup_intents.confirm(seti, params={"payment_method": method.id})
    return seti


@pytest.fixture
def with_plan(signed_in, debtor_account, agency):
    assert ask(signed_in, debtor_account, plan_data(agency), confirm=True).status_code == 303
    return plans_of(debtor_account)[0]


def test_autopay_with_a_card_saved_through_a_setup_intent(signed_in, debtor_account, with_plan, stripe_client):
    seti = save_card_through_stripe(signed_in, debtor_account, stripe_client)
    back = signed_in.get(f"/accounts/{debtor_account.id}/card/done?setup_intent={seti}")
    [card] = autopay.saved_cards(debtor_account)
    assert back.status_code == 303 and "note=card_saved" in back.location
    assert card.setup_intent_ref == seti and card.created_by_id is None
    assert "Card saved for autopay (portal)" in timeline(debtor_account)
    page = body(signed_in.get(f"/accounts/{debtor_account.id}/autopay?note=card_saved&card={card.id}"))
    first = with_plan.instalments[0]
    authorization = f"{first.due_on.isoformat()} $133.33"
    assert "Your card is saved." in page and "Authorization for recurring charges" in page and authorization in page
    assert "up to 3 business days before a charge" in page and "Autopay is off." in page
    refused = signed_in.post(f"/accounts/{debtor_account.id}/autopay", {"card_id": str(card.id)})
    assert refused.status_code == 422 and "Tick the box to authorize the charges." in body(refused)
    assert events("plan.autopay_set") == []
    on = signed_in.post(f"/accounts/{debtor_account.id}/autopay", {"card_id": str(card.id), "agree": "y"})
    assert on.status_code == 303 and "note=autopay_on" in on.location
    db.session.refresh(with_plan)
    assert with_plan.autopay_card_id == card.id
    [event] = events("plan.autopay_set")
    kept = event.changes["authorization"]["new"]
    assert event.actor_id is None and authorization in kept and "up to 3 business days before a charge" in kept
    assert "Autopay is on: charged to card." in body(signed_in.get(f"/accounts/{debtor_account.id}"))
    off = signed_in.post(f"/accounts/{debtor_account.id}/autopay/off")
    assert off.status_code == 303 and "note=autopay_off" in off.location
    db.session.refresh(with_plan)
    assert with_plan.autopay_card_id is None


def test_the_authorization_in_spanish_is_what_is_kept(signed_in, debtor_account, with_plan, stripe_client):
    seti = save_card_through_stripe(signed_in, debtor_account, stripe_client)
    signed_in.get(f"/accounts/{debtor_account.id}/card/done?setup_intent={seti}")
    [card] = autopay.saved_cards(debtor_account)
    page = body(signed_in.get(f"/accounts/{debtor_account.id}/autopay?lang=es"))
    assert "hasta 3 días hábiles antes de un cobro" in page
    signed_in.post(f"/accounts/{debtor_account.id}/autopay", {"card_id": str(card.id), "agree": "y"})
    [event] = events("plan.autopay_set")
    assert event.changes["authorization"]["new"].startswith("Autorizo a ")


def test_an_unconfirmed_or_foreign_setup_intent_saves_no_card(signed_in, debtor_account, with_plan, foreign):
    page = body(signed_in.post(f"/accounts/{debtor_account.id}/card"))
    seti = page.split('data-secret="')[1].split("_secret_")[0]
    refused = signed_in.get(f"/accounts/{debtor_account.id}/card/done?setup_intent={seti}")
    assert refused.status_code == 422 and "The card was not saved" in body(refused)
    other = autopay.start_card_setup(foreign.account.id, actor=foreign.admin)
    stranger = signed_in.get(f"/accounts/{debtor_account.id}/card/done?setup_intent={other.setup_intent_id}")
    assert stranger.status_code == 404 and autopay.saved_cards(debtor_account) == []


def test_the_debtor_removes_the_card_and_autopay_stops(signed_in, debtor_account, with_plan, stripe_client):
    seti = save_card_through_stripe(signed_in, debtor_account, stripe_client)
    signed_in.get(f"/accounts/{debtor_account.id}/card/done?setup_intent={seti}")
    [card] = autopay.saved_cards(debtor_account)
    signed_in.post(f"/accounts/{debtor_account.id}/autopay", {"card_id": str(card.id), "agree": "y"})
    removed = signed_in.post(f"/accounts/{debtor_account.id}/cards/{card.id}/remove")
    assert removed.status_code == 303 and "note=card_removed" in removed.location
    db.session.refresh(with_plan)
    assert autopay.saved_cards(debtor_account) == [] and with_plan.autopay_card_id is None
    assert db.session.get(SavedCard, card.id).removed_at is not None
    [event] = events("card.removed")
    assert event.actor_id is None and event.changes["account_id"] == debtor_account.id
    assert {"Autopay off", "Saved card removed: card (portal)"} <= set(timeline(debtor_account))
    page = body(signed_in.get(f"/accounts/{debtor_account.id}/autopay?note=card_removed"))
    assert "The card is removed. It will not be charged." in page and "No saved card." in page
    assert signed_in.post(f"/accounts/{debtor_account.id}/cards/{card.id}/remove").status_code == 404
    count = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "card.removed"))
    assert count == 1


def test_the_bounds_refusal_reads_in_spanish_with_its_figures(signed_in, with_bounds, agency):
    signed_in.get("/accounts/?lang=es")
    response = ask(signed_in, with_bounds, plan_data(agency, kind="settlement", total="300.00", count="1"))
    page = body(response)
    assert response.status_code == 422
    assert "El acreedor permite un descuento de hasta 20.00 %: liquide por 320.00 o más." in page
