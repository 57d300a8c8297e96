"""Cross-feature reads for the portal home page: a candidate's arrangements and
exam overview (exams, results, certificates, mistakes) and the learning summary
(practice and training hours). Per-feature reads live in each sub-package's
``queries``."""

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from exams.attempts.eligibility import StartCheck, check_start
from exams.attempts.models import Attempt
from exams.attempts.services import is_released, passed_arrangement_ids
from exams.certs.queries import certificates_of
from exams.papers.models import (
    ArrangementCandidate,
    ExamArrangement,
)
from exams.practice.queries import mistake_counts
from exams.training.queries import Requirements, hours_earned
from portal.extensions import db
from portal.timeutil import to_local


def candidate_arrangements(user_id):
    """The arrangements a candidate is enrolled in, with their enrolment rows.

    :return: a ``Select`` of ``(ExamArrangement, ArrangementCandidate)`` rows,
        earliest window first.
    """
    return (
        sa.select(ExamArrangement, ArrangementCandidate)
        .join(
            ArrangementCandidate,
            ArrangementCandidate.arrangement_id == ExamArrangement.id,
        )
        .where(
            ArrangementCandidate.user_id == user_id,
            ExamArrangement.status != "draft",  # drafts are not shown to anyone
        )
        .order_by(ExamArrangement.window_start, ExamArrangement.id)
    )


@dataclass
class ExamEntry:
    """One arrangement as the candidate's dashboard shows it."""

    arrangement: ExamArrangement
    closes_at: object  # the candidate's own window end (make-up deadline if later)
    in_progress: Attempt | None = None
    attempts_left: int = 0
    # The prerequisite (专门 before 通用) still to pass, if any.
    waiting_for: ExamArrangement | None = None
    # The one start rule's answer (exams.attempts.eligibility.check_start).
    check: StartCheck | None = None


@dataclass
class CandidateOverview:
    open: list = field(default_factory=list)  # ExamEntry, closing soonest first
    upcoming: list = field(default_factory=list)  # ExamEntry, opening soonest first
    results: list = field(default_factory=list)  # released attempts, newest first


def candidate_overview(user_id, now, result_limit=5):
    """What a candidate has to do and what they have achieved, for the dashboard.

    An exam is *open* when now is inside the candidate's window (the make-up
    deadline extends it), the candidate is not exempt and has an attempt in
    progress or attempts left and has not passed yet. Results are shown only once
    released (:func:`exams.attempts.services.is_released`).
    """
    attempts = db.session.scalars(
        sa.select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.id)
    ).all()
    by_arrangement = {}
    for attempt in attempts:
        by_arrangement.setdefault(attempt.arrangement_id, []).append(attempt)
    overview = CandidateOverview()
    passed_ids = passed_arrangement_ids(user_id)
    for arrangement, entry in db.session.execute(candidate_arrangements(user_id)):
        if entry.is_exempt or arrangement.status == "cancelled":
            continue
        mine = by_arrangement.get(arrangement.id, [])
        check = check_start(
            arrangement, user_id, now, entry=entry, attempts=mine, passed=passed_ids
        )
        closes_at = check.closes_at or arrangement.window_end
        allowed = arrangement.attempts_allowed + arrangement.makeup_attempts
        item = ExamEntry(
            arrangement=arrangement,
            closes_at=closes_at,
            in_progress=check.resume,
            attempts_left=max(0, allowed - len(mine)),
            check=check,
        )
        if check.code == "prerequisite":
            item.waiting_for = arrangement.prerequisite
        if now < arrangement.window_start:
            overview.upcoming.append(item)
        elif now < closes_at and (
            check.ok or check.code in ("prerequisite", "result_pending")
        ):
            overview.open.append(item)
    overview.open.sort(key=lambda e: e.closes_at)
    overview.results = [a for a in reversed(attempts) if is_released(a, now)][
        :result_limit
    ]
    return overview


@dataclass
class LearningSummary:
    """The candidate's record at a glance: certificate, 学时 and 错题本."""

    certificate: object | None  # the newest certificate, if any
    certificate_status: str
    year: int
    hours_earned: Decimal
    hours_required: Decimal
    open_mistakes: int


def learning_summary(user, now):
    """Newest certificate with its effective status, this year's training hours
    against the requirement, and the 错题本 entries not yet mastered.

    :param user: the candidate (a :class:`portal.auth.models.User`).
    :param now: the current UTC time (the year is the China year of ``now``).
    """
    certificate = db.session.scalars(certificates_of(user.id).limit(1)).first()
    year = to_local(now).year
    earned = hours_earned([user.id], year).get(user.id, (Decimal(0), 0))[0]
    open_mistakes, _mastered = mistake_counts(user)
    return LearningSummary(
        certificate=certificate,
        certificate_status=certificate.status_label(now) if certificate else "",
        year=year,
        hours_earned=earned,
        hours_required=Requirements(year).for_user(user),
        open_mistakes=open_mistakes,
    )
