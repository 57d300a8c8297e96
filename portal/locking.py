"""Optimistic locking of forms: the one way two people editing one item is caught.

A form carries the ``version`` of the row it was rendered from
(:class:`VersionedForm`); the service claims the change with :func:`claim`, one
conditional ``UPDATE … SET version = version + 1 WHERE id = :id AND version =
:seen`` (plus any status condition), so exactly one of two concurrent actions
goes through and the other, or a double submit, gets :class:`StaleForm` with a
Chinese message. The model needs an integer ``version`` column.
"""

import sqlalchemy as sa
from flask_wtf import FlaskForm
from sqlalchemy.orm.attributes import set_committed_value
from wtforms import HiddenField
from wtforms.validators import ValidationError

from portal.exceptions import Conflict
from portal.extensions import db

STALE_MESSAGE = "页面内容已过期（已被他人处理或重复提交），请刷新页面后重试。"
EXPIRED_FORM = "表单已失效，请刷新页面后重试"


class StaleForm(Conflict):
    """The form was rendered for an older version of the item."""

    def __init__(self, message=STALE_MESSAGE):
        super().__init__(message)


class VersionField(HiddenField):
    """A hidden integer; a missing or garbled value fails with a Chinese message."""

    def process_formdata(self, valuelist):
        try:
            self.data = int(valuelist[0]) if valuelist else None
        except (TypeError, ValueError):
            self.data = None

    def pre_validate(self, form):
        if self.data is None:
            raise ValidationError(EXPIRED_FORM)


class VersionedForm(FlaskForm):
    """A form about one row: carries the version it was rendered from."""

    version = VersionField()

    def expected_version(self):
        """The version the form was rendered from (-1 when unreadable)."""
        return self.version.data if isinstance(self.version.data, int) else -1


def check_fresh(obj, seen_version, message=STALE_MESSAGE):
    """Refuse a form rendered from an older state of ``obj`` (no write)."""
    if seen_version is None or int(seen_version) != obj.version:
        raise StaleForm(message)


def claim(obj, seen_version, message=STALE_MESSAGE, where=(), **values):
    """Claim the change of ``obj`` for this transaction (flushes, never commits).

    :param seen_version: the version the acting form was rendered with.
    :param where: further conditions the row must still meet (e.g. a status).
    :param values: columns to set in the same statement; ``obj`` is refreshed.
    :raises StaleForm: someone changed the row since (or this is a resend).
    """
    check_fresh(obj, seen_version, message)
    model = type(obj)
    db.session.flush()
    result = db.session.execute(
        sa.update(model)
        .where(model.id == obj.id, model.version == seen_version, *where)
        .values(version=model.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.expire(obj)
        raise StaleForm(message)
    if values:
        db.session.refresh(obj)
    else:
        set_committed_value(obj, "version", seen_version + 1)
