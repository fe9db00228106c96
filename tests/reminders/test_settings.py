"""The agency's reminder days, on the admin's plan settings page: audited, checked, admins only."""

import pytest

from app.compliance.settings import setting
from app.errors import PermissionDenied, ValidationFailed
from app.plans import settings
from tests.plans.conftest import actions


def test_the_admin_sets_the_reminder_days_on_the_plan_settings_page(login, admin, agency):
    web = login(admin)
    page = web.get("/plans/settings").get_data(as_text=True)
    assert 'name="reminder_days"' in page and 'value="3"' in page  # the default
    assert web.post("/plans/settings/reminders", {"reminder_days": "5"}).status_code == 303
    assert setting(agency, "reminder_days_before") == 5 and "agency.reminder_days_changed" in actions()
    response = web.post("/plans/settings/reminders", {"reminder_days": "99"})
    assert response.status_code == 422 and setting(agency, "reminder_days_before") == 5


def test_reminder_days_are_admin_only_and_checked(admin, collector, agency):
    with pytest.raises(PermissionDenied):
        settings.set_reminder_days(2, actor=collector)
    for bad in (-1, 15, True, "3"):
        with pytest.raises(ValidationFailed):
            settings.set_reminder_days(bad, actor=admin)
    settings.set_reminder_days(0, actor=admin)
    assert setting(agency, "reminder_days_before") == 0
    assert agency.compliance_settings["reminder_days_before"] == 0


def test_collectors_may_not_post_the_reminder_days(login, collector):
    assert login(collector).post("/plans/settings/reminders", {"reminder_days": "2"}).status_code == 403
