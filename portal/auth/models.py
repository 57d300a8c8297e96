"""Users and their roles."""

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from portal.extensions import db
from portal.orgs.models import Domain, Organisation
from portal.timeutil import utcnow


class Role(enum.StrEnum):
    SYS_ADMIN = "sys_admin"
    TRAINING_ADMIN = "training_admin"
    OFFICER = "officer"
    AUXILIARY = "auxiliary"
    SUPERVISION_STAFF = "supervision_staff"
    INVITED_SUPERVISOR = "invited_supervisor"
    AGENCY_HANDLER = "agency_handler"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.SYS_ADMIN: "系统管理员",
    Role.TRAINING_ADMIN: "培训管理员",
    Role.OFFICER: "执法人员",
    Role.AUXILIARY: "执法辅助人员",
    Role.SUPERVISION_STAFF: "执法监督人员",
    Role.INVITED_SUPERVISOR: "特邀行政执法监督员",
    Role.AGENCY_HANDLER: "部门经办人",
}
ROLE_BY_LABEL = {label: role for role, label in ROLE_LABELS.items()}

# Roles whose grant is bound to an organisation subtree (the scope).
SCOPED_ROLES = {
    Role.TRAINING_ADMIN,
    Role.SUPERVISION_STAFF,
    Role.INVITED_SUPERVISOR,
    Role.AGENCY_HANDLER,
}

user_domains = sa.Table(
    "user_domains",
    db.metadata,
    sa.Column(
        "user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "domain_id", sa.ForeignKey("domains.id", ondelete="CASCADE"), primary_key=True
    ),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("failed_logins >= 0", name="failed_logins_nonnegative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    # 18-character resident ID (GB 11643); optional because some accounts
    # (system admins, test accounts) are not natural persons' work accounts.
    id_number: so.Mapped[str | None] = so.mapped_column(sa.String(18), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(64))
    phone: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    cert_number: so.Mapped[str | None] = so.mapped_column(sa.String(32))  # 执法证号
    contact_point: so.Mapped[str | None] = so.mapped_column(sa.String(100))  # 联系点
    # 证件照: a storage key (``photos/<random>.jpg``, see portal/auth/photos.py).
    photo_key: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    photo_updated_at: so.Mapped[datetime | None] = so.mapped_column()
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    must_change_password: so.Mapped[bool] = so.mapped_column(default=True)
    is_active_account: so.Mapped[bool] = so.mapped_column(default=True)
    failed_logins: so.Mapped[int] = so.mapped_column(default=0)
    locked_until: so.Mapped[datetime | None] = so.mapped_column()
    # Bumped on password change/reset and deactivation: every other session of the
    # user carries the old value in its id and stops being valid.
    session_version: so.Mapped[int] = so.mapped_column(default=1)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column()
    password_changed_at: so.Mapped[datetime | None] = so.mapped_column()
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    organisation: so.Mapped[Organisation] = so.relationship()
    roles: so.Mapped[list["UserRole"]] = so.relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        order_by="UserRole.id",
    )
    domains: so.Mapped[list[Domain]] = so.relationship(
        secondary=user_domains, order_by=Domain.id
    )

    def __repr__(self):
        return f"<User {self.username}>"

    @property
    def audit_label(self):
        return f"{self.name}（{self.username}）"

    # Flask-Login -----------------------------------------------------------
    def get_id(self):
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self):
        return self.is_active_account

    # Roles -----------------------------------------------------------------
    @property
    def role_set(self):
        return {Role(r.role) for r in self.roles}

    def has_role(self, *roles):
        return bool(self.role_set & {Role(r) for r in roles})

    def scopes_for(self, role):
        """Organisations that bound a scoped role grant (empty if not held)."""
        return [r.scope for r in self.roles if r.role == role and r.scope is not None]

    @property
    def role_labels(self):
        return [Role(r.role).label for r in self.roles]


class UserRole(db.Model):
    """One role grant; scoped roles carry the organisation subtree they apply to."""

    __tablename__ = "user_roles"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "role", "scope_id", name="uq_user_roles_grant"),
        sa.CheckConstraint(
            "role IN ('sys_admin', 'training_admin', 'officer', 'auxiliary', "
            "'supervision_staff', 'invited_supervisor', 'agency_handler')",
            name="role_valid",
        ),
        sa.CheckConstraint(
            "(role IN ('sys_admin', 'officer', 'auxiliary')) = (scope_id IS NULL)",
            name="scope_matches_role",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: so.Mapped[str] = so.mapped_column(sa.String(32))
    scope_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id")
    )
    granted_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    user: so.Mapped[User] = so.relationship(back_populates="roles")
    scope: so.Mapped[Organisation | None] = so.relationship()

    def __repr__(self):
        return f"<UserRole {self.user_id} {self.role} scope={self.scope_id}>"

    @property
    def label(self):
        text = Role(self.role).label
        if self.scope is not None:
            text += f"（{self.scope.name}）"
        return text
