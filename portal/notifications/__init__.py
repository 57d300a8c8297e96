"""Notifications (站内信) with optional e-mail and SMS copies (issue #15).

Other features call :func:`portal.notifications.service.notify` inside their service
functions; see docs/notifications.md.
"""

from flask import Blueprint

bp = Blueprint("notifications", __name__, template_folder="templates")


def init_app(app):
    from flask_login import current_user

    from portal.audit import ACTION_LABELS
    from portal.notifications import models, service, views  # noqa: F401

    ACTION_LABELS.setdefault("notification_settings_changed", "修改通知接收方式")
    app.register_blueprint(bp, url_prefix="/notifications")
    service.install(app)

    def unread_notifications():
        if not current_user.is_authenticated:
            return 0
        return service.unread_count(current_user)

    app.context_processor(lambda: {"unread_notifications": unread_notifications})
