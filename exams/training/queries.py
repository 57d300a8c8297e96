"""Training reads: what each admin and learner may see, hours and the unit report.

Scope is decided in SQL: an admin's courses lie in the subtrees they administer; a
learner sees published courses whose audience role they hold and whose
organisation is theirs or an ancestor of theirs.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from exams.training.models import (
    LEARNER_ROLES,
    MaterialProgress,
    TrainingCompletion,
    TrainingCourse,
    TrainingMaterial,
    TrainingRequirement,
)
from exams.training.services import elapsed_fraction
from portal.auth.models import Role, User, UserRole
from portal.auth.queries import admin_org_filter
from portal.extensions import db
from portal.orgs.models import Organisation


def ancestor_paths(path):
    """``/1/4/9/`` → ``["/1/", "/1/4/", "/1/4/9/"]`` (the node and its ancestors)."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def admin_courses(user):
    """Select the courses ``user`` (系统管理员 or 培训管理员) may manage."""
    return (
        sa.select(TrainingCourse)
        .join(Organisation, TrainingCourse.organisation_id == Organisation.id)
        .where(admin_org_filter(user))
        .order_by(TrainingCourse.year.desc(), TrainingCourse.id.desc())
    )


def learner_roles(user):
    """The learner roles (执法辅助人员 / 执法人员) ``user`` holds."""
    return [r for r in LEARNER_ROLES if user.has_role(r)]


def learner_courses(user, year=None):
    """Select the published courses offered to ``user``."""
    roles = learner_roles(user)
    role_match = sa.or_(
        sa.and_(sa.literal("auxiliary" in roles), TrainingCourse.for_auxiliary),
        sa.and_(sa.literal("officer" in roles), TrainingCourse.for_officer),
    )
    stmt = (
        sa.select(TrainingCourse)
        .join(Organisation, TrainingCourse.organisation_id == Organisation.id)
        .where(
            TrainingCourse.is_published,
            role_match,
            Organisation.path.in_(ancestor_paths(user.organisation.path)),
        )
        .order_by(TrainingCourse.year.desc(), TrainingCourse.id)
    )
    if year is not None:
        stmt = stmt.where(TrainingCourse.year == year)
    return stmt


def learner_material(user, material_id):
    """The material if ``user`` may study it (its course is offered to them)."""
    return db.session.scalar(
        sa.select(TrainingMaterial).where(
            TrainingMaterial.id == material_id,
            TrainingMaterial.course_id.in_(
                learner_courses(user).with_only_columns(TrainingCourse.id)
            ),
        )
    )


def progress_by_material(user_id, course):
    """``{material id: MaterialProgress}`` of one learner in one course."""
    ids = [m.id for m in course.materials]
    rows = db.session.scalars(
        sa.select(MaterialProgress).where(
            MaterialProgress.user_id == user_id, MaterialProgress.material_id.in_(ids)
        )
    )
    return {p.material_id: p for p in rows}


def completions_of(user_id, year=None):
    """Select a learner's completions (of one year), newest first."""
    stmt = (
        sa.select(TrainingCompletion)
        .where(TrainingCompletion.user_id == user_id)
        .order_by(TrainingCompletion.completed_at.desc())
    )
    if year is not None:
        stmt = stmt.where(TrainingCompletion.year == year)
    return stmt


def default_hours(role):
    """The configured default yearly hours of a learner role."""
    key = (
        "TRAINING_REQUIRED_HOURS"
        if role == "auxiliary"
        else ("TRAINING_REQUIRED_HOURS_OFFICER")
    )
    return Decimal(str(current_app.config.get(key, 0)))


class Requirements:
    """The 年度学时要求 of one year, loaded once: the row of the nearest organisation
    (the learner's own or an ancestor) for a role, else the configured default; a
    learner holding both roles needs the larger."""

    def __init__(self, year):
        self.year = year
        self.rows = {
            (path, role): hours
            for path, role, hours in db.session.execute(
                sa.select(
                    Organisation.path,
                    TrainingRequirement.role,
                    TrainingRequirement.hours,
                )
                .join(
                    Organisation, TrainingRequirement.organisation_id == Organisation.id
                )
                .where(TrainingRequirement.year == year)
            )
        }

    def for_role(self, path, role):
        for ancestor in reversed(ancestor_paths(path)):
            if (ancestor, role) in self.rows:
                return self.rows[(ancestor, role)]
        return default_hours(role)

    def for_user(self, user, roles=None):
        roles = roles if roles is not None else learner_roles(user)
        if not roles:
            return Decimal(0)
        return max(self.for_role(user.organisation.path, r) for r in roles)


def hours_earned(user_ids, year):
    """``{user id: hours}`` credited in ``year`` (sum of completions)."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        sa.select(
            TrainingCompletion.user_id,
            sa.func.sum(TrainingCompletion.hours),
            sa.func.count(TrainingCompletion.id),
        )
        .where(
            TrainingCompletion.year == year, TrainingCompletion.user_id.in_(user_ids)
        )
        .group_by(TrainingCompletion.user_id)
    ).all()
    return {uid: (Decimal(hours), count) for uid, hours, count in rows}


@dataclass
class LearnerRow:
    user: User
    roles: list
    required: Decimal
    expected: Decimal
    earned: Decimal
    courses: int

    @property
    def behind(self):
        return self.earned < self.expected

    @property
    def role_label(self):
        return "、".join(Role(r).label for r in self.roles)


@dataclass
class UnitRow:
    organisation: Organisation
    learners: list = field(default_factory=list)

    @property
    def behind(self):
        return [row for row in self.learners if row.behind]

    @property
    def on_track(self):
        return len(self.learners) - len(self.behind)


def unit_report(admin, year, now):
    """培训进度报表: per organisation of ``admin``'s subtree, its learners with hours
    earned against required. A learner is behind when earned < required × the
    elapsed fraction of the year (so at year end: earned < required).

    :return: a list of :class:`UnitRow` (units with learners, in tree order).
    """
    fraction = elapsed_fraction(year, now)
    learners = db.session.execute(
        sa.select(User, sa.func.min(UserRole.role), sa.func.max(UserRole.role))
        .join(UserRole, UserRole.user_id == User.id)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(
            User.is_active_account,
            UserRole.role.in_(LEARNER_ROLES),
            admin_org_filter(admin),
        )
        .group_by(User.id)
        .order_by(User.username)
    ).all()
    requirements = Requirements(year)
    earned = hours_earned([u.id for u, _, _ in learners], year)
    units = {}
    for user, low, high in learners:
        roles = sorted({low, high})
        required = requirements.for_user(user, roles)
        hours, count = earned.get(user.id, (Decimal(0), 0))
        row = LearnerRow(
            user=user,
            roles=roles,
            required=required,
            expected=required * fraction,
            earned=hours,
            courses=count,
        )
        units.setdefault(
            user.organisation_id, UnitRow(organisation=user.organisation)
        ).learners.append(row)
    return sorted(units.values(), key=lambda u: u.organisation.path)


@dataclass
class CourseLearner:
    user: User
    materials_done: int
    completion: TrainingCompletion | None


def course_progress(course, admin):
    """The learners of a course's audience inside ``admin``'s scope, with how many
    materials they finished and their completion (考核 result), by username."""
    roles = course.audience_roles
    users = db.session.scalars(
        sa.select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(
            User.is_active_account,
            Organisation.path.startswith(course.organisation.path, autoescape=True),
            admin_org_filter(admin),
            User.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_(roles))),
        )
        .order_by(User.username)
    ).all()
    ids = [u.id for u in users]
    material_ids = [m.id for m in course.materials]
    done = dict(
        db.session.execute(
            sa.select(MaterialProgress.user_id, sa.func.count(MaterialProgress.id))
            .where(
                MaterialProgress.user_id.in_(ids),
                MaterialProgress.material_id.in_(material_ids),
                MaterialProgress.completed_at.is_not(None),
            )
            .group_by(MaterialProgress.user_id)
        ).all()
    )
    completions = {
        c.user_id: c
        for c in db.session.scalars(
            sa.select(TrainingCompletion).where(
                TrainingCompletion.course_id == course.id,
                TrainingCompletion.user_id.in_(ids),
            )
        )
    }
    return [CourseLearner(u, done.get(u.id, 0), completions.get(u.id)) for u in users]
