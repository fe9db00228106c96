"""What plans announce for the reminder emails: a charge declined (with its retry day) and a plan broken.

``plans`` sits below ``reminders`` (STYLE.md principle 7), so its services cannot call the reminder services;
``app.reminders.hooks`` subscribes to these signals instead. A service sends them inside its transaction, before
its commit, so the reminder row is written, or rolled back, together with the change.
"""

from blinker import Namespace

_signals = Namespace()
# sender: the Instalment; keywords: account, payment (the failed one)
charge_declined = _signals.signal("plans.charge-declined")
# sender: the Plan; keywords: account, missed (the instalments that broke it)
plan_broken = _signals.signal("plans.plan-broken")
