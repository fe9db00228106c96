"""What the payment services announce, for packages above payments (plans) to act on in the same transaction.

Receivers run inside the caller's transaction and must not commit; an exception in one rolls the payment back.
"""

from blinker import Namespace

_signals = Namespace()

# A payment was applied to its account: sender is the Payment; kwargs account, applied (the Decimal that went to
# the balance), actor (User or None for system paths).
payment_applied = _signals.signal("payment-applied")
# Part or all of an applied payment was given back: sender is the Payment; kwargs account, amount, actor.
refund_applied = _signals.signal("refund-applied")
