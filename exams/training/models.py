"""Auxiliary-staff training: courses, materials, progress, completions, yearly
hour requirements (issue #5, 培训)."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.auth.roles import LEARNERS
from portal.extensions import db
from portal.timeutil import utcnow

MATERIAL_KINDS = {"text": "图文", "pdf": "PDF 文档", "video": "视频"}
# Learner roles as stored strings, in a stable (alphabetical) order.
LEARNER_ROLES = tuple(sorted(role.value for role in LEARNERS))


class TrainingCourse(db.Model):
    """培训课程: materials in order, an optional 结业测验 (an exam paper offered
    through an :class:`exams.papers.models.ExamArrangement` of kind ``training``), credit
    hours (学时) earned on completion, an audience (roles × organisation subtree)."""

    __tablename__ = "training_courses"
    __table_args__ = (
        sa.CheckConstraint("credit_hours > 0", name="credit_hours_positive"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint("for_auxiliary OR for_officer", name="audience_role"),
        sa.CheckConstraint("quiz_minutes > 0", name="quiz_minutes_positive"),
        sa.CheckConstraint("quiz_attempts >= 1", name="quiz_attempts_positive"),
        sa.CheckConstraint(
            "(NOT is_published) OR (published_at IS NOT NULL)", name="published_at_set"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    year: so.Mapped[int] = so.mapped_column(index=True)
    credit_hours: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(5, 1))
    for_auxiliary: so.Mapped[bool] = so.mapped_column(default=True)
    for_officer: so.Mapped[bool] = so.mapped_column(default=False)
    # The audience subtree; also what decides which training admins manage it.
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    paper_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("papers.id"))
    arrangement_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("exam_arrangements.id")
    )
    quiz_minutes: so.Mapped[int] = so.mapped_column(default=30)
    quiz_attempts: so.Mapped[int] = so.mapped_column(default=3)
    is_published: so.Mapped[bool] = so.mapped_column(default=False)
    published_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    organisation = so.relationship("Organisation")
    paper = so.relationship("Paper")
    arrangement = so.relationship("ExamArrangement")
    materials: so.Mapped[list["TrainingMaterial"]] = so.relationship(
        back_populates="course",
        order_by="TrainingMaterial.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self):
        return f"<TrainingCourse {self.id} {self.year}>"

    @property
    def audit_label(self):
        return f"{self.title}（{self.year}年）"

    @property
    def audience_roles(self):
        roles = []
        if self.for_auxiliary:
            roles.append("auxiliary")
        if self.for_officer:
            roles.append("officer")
        return roles

    @property
    def audience_label(self):
        labels = {"auxiliary": "执法辅助人员", "officer": "执法人员"}
        return "、".join(labels[r] for r in self.audience_roles)


class TrainingMaterial(db.Model):
    """One material of a course: text (sanitised), a PDF or a video file. Files are
    stored under ``UPLOAD_DIR/training/`` with a random name; their SHA-256 is kept."""

    __tablename__ = "training_materials"
    __table_args__ = (
        sa.UniqueConstraint("course_id", "position"),
        sa.CheckConstraint("kind IN ('text', 'pdf', 'video')", name="kind_valid"),
        sa.CheckConstraint("required_minutes >= 0", name="required_minutes"),
        sa.CheckConstraint(
            "(kind = 'text') = (stored_name IS NULL)", name="file_matches_kind"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    course_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_courses.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int]
    kind: so.Mapped[str] = so.mapped_column(sa.String(8))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    stored_name: so.Mapped[str | None] = so.mapped_column(sa.String(80), unique=True)
    original_name: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    mime: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    size_bytes: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    # Time on the material page needed to count it as done (video: its duration).
    required_minutes: so.Mapped[int] = so.mapped_column(default=5)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    course: so.Mapped[TrainingCourse] = so.relationship(back_populates="materials")

    def __repr__(self):
        return f"<TrainingMaterial {self.id} {self.kind}>"

    @property
    def audit_label(self):
        return self.title

    @property
    def kind_label(self):
        return MATERIAL_KINDS[self.kind]


class MaterialProgress(db.Model):
    """Time a learner spent on one material, counted on the server from heartbeats.

    ``last_beat_at`` anchors the next heartbeat: a beat credits at most the time
    since the anchor (capped), so replays and parallel tabs never add more than the
    wall-clock time; a hidden page clears the anchor."""

    __tablename__ = "training_material_progress"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "material_id"),
        sa.CheckConstraint("seconds >= 0", name="seconds_nonnegative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    material_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_materials.id", ondelete="CASCADE"), index=True
    )
    seconds: so.Mapped[int] = so.mapped_column(default=0)
    last_beat_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    # The page (a random id per page load) that holds the anchor: another page of
    # the same learner is not credited while this one beats.
    client: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    # Videos: the playback position at the anchor (seconds) and the watched
    # ranges [[start, end], …] merged; only newly watched seconds are credited.
    position: so.Mapped[float | None] = so.mapped_column(sa.Float)
    watched: so.Mapped[list | None] = so.mapped_column(sa.JSON)

    material: so.Mapped[TrainingMaterial] = so.relationship()

    def __repr__(self):
        return f"<MaterialProgress {self.user_id}:{self.material_id} {self.seconds}s>"


class TrainingCompletion(db.Model):
    """A learner's completion of a course (recorded once): the hours credited then
    and the passing quiz score, if the course has a quiz."""

    __tablename__ = "training_completions"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id"),
        sa.CheckConstraint("hours > 0", name="hours_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    course_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_courses.id", ondelete="CASCADE"), index=True
    )
    year: so.Mapped[int] = so.mapped_column(index=True)
    hours: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(5, 1))
    quiz_score: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(7, 2))
    attempt_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("attempts.id"))
    completed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime)

    course: so.Mapped[TrainingCourse] = so.relationship()

    def __repr__(self):
        return f"<TrainingCompletion {self.user_id}:{self.course_id}>"


class TrainingRequirement(db.Model):
    """年度学时要求 for a role in an organisation subtree; the nearest ancestor's
    row applies, the configured default (``TRAINING_REQUIRED_HOURS``) otherwise."""

    __tablename__ = "training_requirements"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "role", "year"),
        sa.CheckConstraint("role IN ('auxiliary', 'officer')", name="role_valid"),
        sa.CheckConstraint("hours >= 0", name="hours_nonnegative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    role: so.Mapped[str] = so.mapped_column(sa.String(16))
    year: so.Mapped[int]
    hours: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(5, 1))
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime, default=utcnow)

    organisation = so.relationship("Organisation")

    def __repr__(self):
        return f"<TrainingRequirement {self.organisation_id} {self.role} {self.year}>"

    @property
    def audit_label(self):
        return f"{self.year}年学时要求"
