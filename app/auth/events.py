"""What signing in, signing out and changing a password announce, for the audit trail to record.

``auth`` sits below ``audit`` (STYLE.md principle 7), so its services cannot call ``audit.record``; the audit
package subscribes to this signal instead (``audit.services.record_auth_events``). A service sends it inside
its transaction, before its commit, so the event is written, or rolled back, together with the change.
"""

from blinker import Namespace

from app.auth.models import User

_signals = Namespace()
user_event = _signals.signal("auth.user-event")


def announce(action: str, user: User, *, actor: User | None, changes: dict | None = None) -> None:
    """Tell the subscribers that ``actor`` did ``action`` (e.g. ``auth.login``) to the account of ``user``.

    ``actor`` is None when nobody is signed in (a failed sign-in, a lockout).
    """
    user_event.send(user, action=action, actor=actor, changes=changes)
