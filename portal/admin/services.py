"""User-account services used by the admin views, the importer and the seeder."""

import sqlalchemy as sa

from portal import audit
from portal.auth.idcard import id_number_error, normalise_id_number
from portal.auth.models import SCOPED_ROLES, Role, User, UserRole
from portal.auth.passwords import generate_password, hash_password, policy_errors
from portal.auth.queries import can_manage_org, grantable_roles
from portal.auth.services import end_sessions
from portal.exceptions import Conflict, NotAllowed, ValidationFailed
from portal.extensions import db


def user_snapshot(user):
    """The audit summary of an account (no secrets; ID number masked)."""
    from portal.masking import mask_id_number, mask_phone

    return {
        "用户名": user.username,
        "姓名": user.name,
        "身份证号": mask_id_number(user.id_number),
        "手机号": mask_phone(user.phone),
        "单位": user.organisation.name if user.organisation else None,
        "执法证号": user.cert_number,
        "执法领域": [d.name for d in user.domains],
        "联系点": user.contact_point,
    }


def check_unique(username, id_number, exclude_id=None):
    """:raises Conflict: when the username or ID number is already registered."""
    query = sa.select(User.username, User.id_number).where(
        sa.or_(User.username == username, User.id_number == id_number)
        if id_number
        else User.username == username
    )
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    for taken_username, taken_id in db.session.execute(query):
        if taken_username == username:
            raise Conflict(f"用户名 {username} 已被使用")
        if id_number and taken_id == id_number:
            raise Conflict("该身份证号已登记")


def create_user(
    actor,
    *,
    username,
    name,
    organisation,
    id_number=None,
    phone=None,
    cert_number=None,
    contact_point=None,
    domains=(),
    password=None,
    audited=True,
):
    """Create an account that must change its password at first login.

    :param actor: who creates it; must be allowed to manage ``organisation``.
    :param password: the initial password; a random one is generated when None.
    :return: ``(user, initial_password)``.
    :raises NotAllowed, Conflict, ValidationFailed:
    """
    if actor.user is not None and not can_manage_org(actor.user, organisation):
        raise NotAllowed("无权在该组织下创建用户")
    id_number = normalise_id_number(id_number) or None
    if id_number and (error := id_number_error(id_number)):
        raise ValidationFailed(error)
    check_unique(username, id_number)
    if password is None:
        password = generate_password()
    elif errors := policy_errors(password, username=username, id_number=id_number):
        raise ValidationFailed("初始密码不符合要求：" + "；".join(errors))
    user = User(
        username=username,
        name=name,
        organisation=organisation,
        id_number=id_number,
        phone=phone or None,
        cert_number=cert_number or None,
        contact_point=contact_point or None,
        password_hash=hash_password(password),
        must_change_password=True,
    )
    user.domains = list(domains)
    db.session.add(user)
    db.session.flush()
    if audited:
        audit.record("user_created", actor, user, after=user_snapshot(user))
    return user, password


def update_user(user, actor, **fields):
    """Change an account's profile fields; audited with before/after."""
    before = user_snapshot(user)
    if "id_number" in fields:
        fields["id_number"] = normalise_id_number(fields["id_number"]) or None
        if fields["id_number"] and (error := id_number_error(fields["id_number"])):
            raise ValidationFailed(error)
        check_unique(user.username, fields["id_number"], exclude_id=user.id)
    organisation = fields.get("organisation")
    if organisation is not None and actor.user is not None:
        if not can_manage_org(actor.user, organisation):
            raise NotAllowed("无权将用户调入该组织")
    for key, value in fields.items():
        setattr(user, key, value)
    db.session.flush()
    after = user_snapshot(user)
    if before != after:
        audit.record("user_updated", actor, user, before=before, after=after)
    return user


def _check_grant(actor, role, scope):
    if actor.user is not None and role not in grantable_roles(actor.user):
        raise NotAllowed(f"无权授予“{role.label}”角色")
    if role in SCOPED_ROLES and scope is None:
        raise ValidationFailed(f"“{role.label}”角色须指定负责的组织范围")
    if role not in SCOPED_ROLES:
        scope = None
    if scope is not None and actor.user is not None:
        if not can_manage_org(actor.user, scope):
            raise NotAllowed("无权授予该组织范围")
    return scope


def grant_role(user, role, actor, scope=None):
    """Grant ``role`` (bounded to ``scope`` for scoped roles); idempotent.

    :raises NotAllowed: the actor may not grant that role or scope.
    :raises ValidationFailed: a scoped role without scope.
    """
    role = Role(role)
    scope = _check_grant(actor, role, scope)
    for existing in user.roles:
        if existing.role == role and existing.scope_id == (scope.id if scope else None):
            return existing
    grant = UserRole(role=role.value, scope=scope)
    user.roles.append(grant)
    end_sessions(user)  # sessions begun under the old roles end
    db.session.flush()
    audit.record("role_granted", actor, user, after={"角色": grant.label})
    return grant


def revoke_role(user, grant, actor):
    """Remove one role grant.

    :raises NotAllowed: the actor may not manage that role, or would lock
        themselves out of system administration.
    """
    role = Role(grant.role)
    if actor.user is not None and role not in grantable_roles(actor.user):
        raise NotAllowed(f"无权撤销“{role.label}”角色")
    if actor.user is not None and actor.user.id == user.id and role == Role.SYS_ADMIN:
        raise NotAllowed("不能撤销自己的系统管理员角色")
    label = grant.label
    user.roles.remove(grant)
    end_sessions(user)
    db.session.flush()
    audit.record("role_revoked", actor, user, before={"角色": label})
