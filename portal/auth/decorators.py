"""Route guards. Every view outside the public set uses one of these."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles):
    """Require a signed-in user holding at least one of ``roles`` (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = frozenset(roles)
        return wrapped

    return decorator


def public(view):
    """Mark a view as deliberately reachable without login (checked by tests)."""
    view.is_public = True
    return view
