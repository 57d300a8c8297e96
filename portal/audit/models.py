"""The append-only audit log."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.timeutil import utcnow


class AuditLog(db.Model):
    """One sensitive action. Rows are never updated or deleted.

    The application has no edit or delete path; an ORM guard refuses flushes that
    would change or remove a row, and database triggers (created by the migration
    and by ``create_all``) refuse UPDATE and DELETE from any client.
    """

    __tablename__ = "audit_logs"
    __table_args__ = (
        sa.CheckConstraint(
            "outcome IN ('success', 'failure', 'refused')", name="outcome_valid"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    # Copied so that the entry stays readable whatever later happens to the account.
    actor_name: so.Mapped[str] = so.mapped_column(sa.String(130), default="")
    ip: so.Mapped[str | None] = so.mapped_column(sa.String(45))
    action: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    target_type: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    target_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    target_label: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    before: so.Mapped[str | None] = so.mapped_column(sa.Text)
    after: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # 等保2.0 安全审计: the result of the event. "failure" = the user's attempt did
    # not succeed (wrong password); "refused" = the portal denied it (403/404 on an
    # object, CSRF, rate limit).
    outcome: so.Mapped[str] = so.mapped_column(
        sa.String(16), default="success", server_default="success", index=True
    )

    def __repr__(self):
        return f"<AuditLog {self.id} {self.action}>"


APPEND_ONLY_MESSAGE = "审计日志只能追加，不能修改或删除"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_logs_no_update BEFORE UPDATE ON audit_logs
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_logs_no_delete BEFORE DELETE ON audit_logs
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
]
POSTGRES_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION audit_logs_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_logs_no_update_delete BEFORE UPDATE OR DELETE
    ON audit_logs FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only()""",
]


def _install_triggers(target, connection, **kw):
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}
    for statement in statements.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


sa.event.listen(AuditLog.__table__, "after_create", _install_triggers)


@sa.event.listens_for(so.Session, "before_flush")
def _refuse_audit_changes(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditLog) and (
            obj in session.deleted or session.is_modified(obj)
        ):
            raise PermissionError(APPEND_ONLY_MESSAGE)
