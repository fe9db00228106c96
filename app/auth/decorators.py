"""Route guards. Record-level rules (whose account is it?) live in services and queries instead."""

from functools import wraps

from flask_login import current_user

from app.auth.models import Role
from app.errors import PermissionDenied


def roles_required(*roles: Role):
    """Allow the wrapped view only to users holding one of ``roles``; stack under ``@login_required``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or not current_user.has_role(*roles):
                raise PermissionDenied()
            return view(*args, **kwargs)

        return wrapped

    return decorator
