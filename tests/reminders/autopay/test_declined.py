"""A declined autopay charge emails the debtor (with the retry day); the second decline breaks the plan and emails
that instead."""

from datetime import timedelta

from app.plans import autopay, services
from jobs.plans import run_autopay
from tests.plans.autopay.test_autopay import DECLINED_CARD, saved_card
from tests.plans.conftest import plan_terms
from tests.reminders.conftest import body_of, in_days, pacific
from tests.reminders.test_reminders import DISCLOSURE, opt_out_path


def test_a_declined_charge_then_the_broken_plan_are_emailed(smtp, frozen, west, stripe_client, collector, agency):
    terms = plan_terms(agency, "300.00", first_due=in_days(agency, 10))
    plan = services.create_plan(west.id, terms, actor=collector)
    card = saved_card(stripe_client, west, collector, DECLINED_CARD)
    autopay.set_autopay(plan.id, card.id, actor=collector)
    first = plan.instalments[0]

    frozen(pacific(first.due_on, 12))
    assert run_autopay().get("declined") == 1
    (declined,) = smtp.messages
    retry = first.due_on + timedelta(days=3)
    assert declined["Subject"] == "Your payment of $100.00 was declined"
    assert f"{retry:%B} {retry.day}, {retry.year}" in body_of(declined) and DISCLOSURE in body_of(declined)
    assert opt_out_path(declined).startswith("/email/opt-out/")

    frozen(pacific(retry, 12))
    assert run_autopay().get("missed") == 1
    assert [m["Subject"] for m in smtp.messages[1:]] == [f"Your payment plan with {agency.name} has ended"]
    assert "$100.00" in body_of(smtp.messages[1]) and DISCLOSURE in body_of(smtp.messages[1])
