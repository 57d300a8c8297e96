"""Training services: courses, materials, heartbeats, the 结业测验 and completion.

Services flush and never commit (STYLE R5); they take an explicit ``actor`` and
``now``. How credit is earned: a course's 学时 are credited once, when the course is
completed — every material's time reached and (if the course has a quiz) the quiz
passed; the completion is dated by the passing attempt's submission.
"""

import logging
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from exams.attempts.models import Attempt
from exams.attempts.services import start_attempt
from exams.banks.services import sanitise_stem
from exams.papers.models import ExamArrangement
from exams.papers.services import create_arrangement, enrol_candidates, validate_paper
from exams.training.models import (
    MaterialProgress,
    TrainingCompletion,
    TrainingCourse,
    TrainingMaterial,
    TrainingRequirement,
)
from portal import audit
from portal.exceptions import InvalidState
from portal.extensions import db
from portal.notifications import events as notify_events
from portal.timeutil import to_local, to_utc

logger = logging.getLogger(__name__)

# The material page beats every HEARTBEAT_SECONDS while visible. A beat credits the
# time since the previous one, at most CREDIT_CAP; after a gap longer than
# GAP_LIMIT (page hidden, laptop asleep, heartbeats stopped) it credits nothing and
# only re-anchors.
HEARTBEAT_SECONDS = 30
CREDIT_CAP = 40
GAP_LIMIT = 90

COURSE_FIELDS = (
    "title",
    "description",
    "year",
    "credit_hours",
    "for_auxiliary",
    "for_officer",
    "organisation_id",
    "paper_id",
    "quiz_minutes",
    "quiz_attempts",
)


def year_bounds(year):
    """The UTC instants where ``year`` starts and ends in China Standard Time."""
    return to_utc(datetime(year, 1, 1)), to_utc(datetime(year + 1, 1, 1))


def _snapshot(course):
    return {
        name: str(getattr(course, name))
        if isinstance(getattr(course, name), Decimal)
        else getattr(course, name)
        for name in COURSE_FIELDS
    }


def create_course(actor, **fields):
    """Create an unpublished course (audited).

    :param fields: the columns of ``COURSE_FIELDS``.
    """
    course = TrainingCourse(
        created_by_id=actor.user.id if actor.user else None,
        **{k: v for k, v in fields.items() if k in COURSE_FIELDS},
    )
    db.session.add(course)
    db.session.flush()
    audit.record("training_course_created", actor, course, after=_snapshot(course))
    return course


def update_course(course, actor, **fields):
    """Edit a course (audited with before/after).

    :raises InvalidState: the quiz paper is changed after learners sat the quiz.
    """
    before = _snapshot(course)
    new_paper = fields.get("paper_id", course.paper_id)
    if new_paper != course.paper_id and course.arrangement_id:
        if _quiz_attempts(course):
            raise InvalidState("已有学员参加结业测验，不能更换测验试卷")
    for name, value in fields.items():
        if name in COURSE_FIELDS:
            setattr(course, name, value)
    db.session.flush()
    if course.arrangement is not None:
        _sync_arrangement(course)
    audit.record(
        "training_course_updated", actor, course, before=before, after=_snapshot(course)
    )
    return course


def _quiz_attempts(course):
    return db.session.scalar(
        sa.select(sa.func.count(Attempt.id)).where(
            Attempt.arrangement_id == course.arrangement_id
        )
    )


def _sync_arrangement(course):
    """Keep the quiz arrangement in line with the course (paper, year, limits)."""
    arrangement = course.arrangement
    if course.paper_id is None:
        return
    start, end = year_bounds(course.year)
    arrangement.paper_id = course.paper_id
    arrangement.name = f"{course.title} · 结业测验"[:200]
    arrangement.window_start, arrangement.window_end = start, end
    arrangement.duration_minutes = course.quiz_minutes
    arrangement.attempts_allowed = course.quiz_attempts
    arrangement.organisation_id = course.organisation_id
    db.session.flush()


def _ensure_arrangement(course):
    """The course's quiz as an exam arrangement of kind ``training``: open for the
    whole course year, results shown at once, no tab-switch limit."""
    if course.paper_id is None:
        return None
    if course.arrangement is not None:
        _sync_arrangement(course)
        return course.arrangement
    start, end = year_bounds(course.year)
    course.arrangement = create_arrangement(
        course.paper,
        name=f"{course.title} · 结业测验"[:200],
        kind="training",
        window_start=start,
        window_end=end,
        duration_minutes=course.quiz_minutes,
        attempts_allowed=course.quiz_attempts,
        makeup_attempts=0,
        release_policy="immediate",
        tab_switch_limit=0,
        organisation_id=course.organisation_id,
    )
    db.session.flush()
    return course.arrangement


def publish_course(course, actor, now):
    """Publish a course to its audience (audited).

    :raises InvalidState: no materials, or the quiz paper is not usable.
    """
    if not course.materials:
        raise InvalidState("课程还没有学习材料，不能发布")
    if course.paper is not None:
        errors = validate_paper(course.paper)
        if errors:
            raise InvalidState("结业测验试卷不可用：" + "；".join(errors))
    _ensure_arrangement(course)
    course.is_published, course.published_at = True, now
    db.session.flush()
    audit.record("training_course_published", actor, course)
    notify_events.course_published(course)
    return course


def unpublish_course(course, actor):
    """Withdraw a course from learners (audited); progress and completions stay."""
    course.is_published = False
    db.session.flush()
    audit.record("training_course_unpublished", actor, course)
    return course


def _next_position(course):
    return max((m.position for m in course.materials), default=0) + 1


def add_text_material(course, actor, *, title, body, required_minutes):
    """Add a text material; the text is sanitised with the question-stem whitelist."""
    material = TrainingMaterial(
        kind="text",
        title=title,
        body=sanitise_stem(body),
        required_minutes=required_minutes,
        position=_next_position(course),
    )
    course.materials.append(material)
    db.session.flush()
    audit.record(
        "training_material_added",
        actor,
        course,
        after={"material": title, "kind": "text"},
    )
    return material


def add_file_material(
    course, actor, *, kind, title, stored, original_name, required_minutes
):
    """Add a PDF or video material from a file stored by
    :func:`exams.training.uploads.store_upload`."""
    material = TrainingMaterial(
        kind=kind,
        title=title,
        stored_name=stored.stored_name,
        original_name=original_name[:255],
        mime=stored.mime,
        size_bytes=stored.size,
        sha256=stored.sha256,
        required_minutes=required_minutes,
        position=_next_position(course),
    )
    course.materials.append(material)
    db.session.flush()
    audit.record(
        "training_material_added",
        actor,
        course,
        after={"material": title, "kind": kind, "sha256": stored.sha256},
    )
    return material


def remove_material(material, actor):
    """Remove a material of an unpublished course (audited).

    :return: the stored file name to delete after the commit (or None).
    :raises InvalidState: the course is published.
    """
    course = material.course
    if course.is_published:
        raise InvalidState("课程已发布，请先撤回再删除材料")
    stored = material.stored_name
    course.materials.remove(material)
    db.session.flush()
    audit.record(
        "training_material_removed",
        actor,
        course,
        before={"material": material.title, "sha256": material.sha256},
    )
    return stored


def move_material(material, direction, actor):
    """Move a material one place up (-1) or down (+1) in its course (audited).

    :return: True when it moved (False at either end).
    """
    course = material.course
    ordered = list(course.materials)
    index = ordered.index(material)
    other_index = index + (1 if direction > 0 else -1)
    if not 0 <= other_index < len(ordered):
        return False
    other = ordered[other_index]
    first, second = material.position, other.position
    # Swap through a free position: (course, position) is unique.
    material.position = -1
    db.session.flush()
    other.position, material.position = first, -2
    db.session.flush()
    material.position = second
    db.session.flush()
    db.session.expire(course, ["materials"])
    audit.record(
        "training_material_moved",
        actor,
        course,
        after={"material": material.title, "position": second},
    )
    return True


def _progress(user_id, material_id):
    stmt = sa.select(MaterialProgress).where(
        MaterialProgress.user_id == user_id, MaterialProgress.material_id == material_id
    )
    progress = db.session.scalar(stmt)
    if progress is None:
        try:
            with db.session.begin_nested():
                progress = MaterialProgress(user_id=user_id, material_id=material_id)
                db.session.add(progress)
        except IntegrityError:
            progress = db.session.scalar(stmt)
    return progress


# A video may play at most this fast (browsers offer 2×); a position that moved
# further than elapsed × rate (+ slack) since the anchor was a seek, not playback.
MAX_PLAYBACK_RATE = 2
SEEK_SLACK = 2


def merge_ranges(ranges):
    """Merge [start, end] ranges (seconds), sorted."""
    merged = []
    for lo, hi in sorted((float(a), float(b)) for a, b in ranges if b > a):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return merged


def unwatched_seconds(ranges, lo, hi):
    """Seconds of [lo, hi] not covered by the (merged) ``ranges``."""
    covered = sum(max(0.0, min(hi, b) - max(lo, a)) for a, b in ranges)
    return max(0.0, (hi - lo) - covered)


def held_elsewhere(progress, user_id, material_id, client, now):
    """Whether another page holds the learner's study clock: a fresh anchor on
    another material (one material at a time, across devices), or on this
    material from another page (client id)."""
    fresh = now - timedelta(seconds=GAP_LIMIT)
    if (
        client
        and progress.client
        and progress.client != client
        and progress.last_beat_at is not None
        and progress.last_beat_at >= fresh
    ):
        return True
    other = db.session.scalar(
        sa.select(MaterialProgress.id).where(
            MaterialProgress.user_id == user_id,
            MaterialProgress.material_id != material_id,
            MaterialProgress.last_beat_at.is_not(None),
            MaterialProgress.last_beat_at >= fresh,
            MaterialProgress.last_beat_at <= now,
        )
    )
    return other is not None


def _video_credit(progress, now, anchor, position):
    """(credit, watched ranges) of a video beat: only playback since the anchor,
    only seconds not watched before, never more than the wall-clock time."""
    watched = merge_ranges(progress.watched or [])
    previous = progress.position
    if anchor is None or previous is None or position is None:
        return 0, watched
    elapsed = (now - anchor).total_seconds()
    advanced = position - previous
    if not (0 < elapsed <= GAP_LIMIT):
        return 0, watched
    if not (0 < advanced <= elapsed * MAX_PLAYBACK_RATE + SEEK_SLACK):
        return 0, watched  # paused, rewound or sought: re-anchor only
    new = unwatched_seconds(watched, previous, position)
    credit = int(min(new, elapsed, CREDIT_CAP))
    return credit, merge_ranges([*watched, [previous, position]])


def record_heartbeat(
    material, user, now, *, visible=True, start=False, client=None, position=None
):
    """Credit time on a material from one heartbeat of its page.

    ``start`` (page opened or shown again, video played or sought) and any first
    beat only anchor; ``visible=False`` (page hidden, video paused) clears the
    anchor. Otherwise the beat credits the seconds since the anchor, at most
    ``CREDIT_CAP``, nothing after a gap longer than ``GAP_LIMIT``. The credit is a
    conditional UPDATE on the anchor it read, so two tabs or a replayed request
    cannot both credit the same interval.

    Honest 学时 (issue #12):

    * One material at a time per learner, across devices: while another page
      (another material, or this one opened elsewhere — ``client`` is a random id
      per page load) holds a fresh anchor, this page's beats credit nothing and
      leave that anchor alone (``progress.blocked`` is set).
    * A video is credited only while it plays: beats carry the playback
      ``position``; the credit is the newly watched part of the range since the
      anchor (watched ranges are kept on the server), capped by the wall-clock
      time. A jump forward (seek beyond the watched part) re-anchors without
      credit; re-watching a watched part credits nothing.

    :return: the :class:`MaterialProgress` (``blocked`` tells whether another
        page holds the clock).
    """
    progress = _progress(user.id, material.id)
    progress.blocked = False
    if held_elsewhere(progress, user.id, material.id, client, now):
        progress.blocked = True
        return progress
    anchor = progress.last_beat_at
    if progress.client and client and progress.client != client:
        anchor = None  # the previous page's anchor is stale: start afresh
    credit = 0
    watched = progress.watched
    is_video = material.kind == "video"
    if is_video:
        if visible and not start:
            credit, watched = _video_credit(progress, now, anchor, position)
    elif visible and not start and anchor is not None:
        elapsed = (now - anchor).total_seconds()
        if 0 < elapsed <= GAP_LIMIT:
            credit = int(min(elapsed, CREDIT_CAP))
    new_anchor = now if visible else None
    stored = progress.last_beat_at
    anchor_matches = (
        MaterialProgress.last_beat_at.is_(None)
        if stored is None
        else MaterialProgress.last_beat_at == stored
    )
    values = {
        "seconds": MaterialProgress.seconds + credit,
        "last_beat_at": new_anchor,
        "client": client if visible else None,
    }
    if is_video:
        values["position"] = position if visible else None
        values["watched"] = watched
    result = db.session.execute(
        sa.update(MaterialProgress)
        .where(MaterialProgress.id == progress.id, anchor_matches)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(progress)
    progress.blocked = False
    if result.rowcount and progress.completed_at is None:
        if progress.seconds >= material.required_minutes * 60:
            progress.completed_at = now
            db.session.flush()
    return progress


def materials_done(course, user_id):
    """Whether every material of the course has reached its required time."""
    ids = [m.id for m in course.materials]
    if not ids:
        return False
    done = db.session.scalar(
        sa.select(sa.func.count(MaterialProgress.id)).where(
            MaterialProgress.user_id == user_id,
            MaterialProgress.material_id.in_(ids),
            MaterialProgress.completed_at.is_not(None),
        )
    )
    return done == len(ids)


def open_quiz(course, user, now):
    """Start (or resume) the learner's 结业测验 through the exam engine: the learner
    is enrolled in the course's arrangement once every material is done.

    :return: the :class:`exams.attempts.models.Attempt`.
    :raises InvalidState: no quiz, course completed, or materials not done.
    :raises NotAllowed: the exam engine refuses (window closed, attempts used up).
    """
    if course.arrangement is None:
        raise InvalidState("本课程没有结业测验")
    if sync_completion(course, user.id) is not None:
        raise InvalidState("您已完成本课程")
    if not materials_done(course, user.id):
        raise InvalidState("请先学完全部课程材料，再参加结业测验")
    enrol_candidates(course.arrangement, users=[user])
    return start_attempt(course.arrangement, user, now)


def sync_completion(course, user_id):
    """Record the course's completion for a learner when it is due (idempotent).

    Due when every material is done and, for a course with a quiz, a graded attempt
    of its arrangement passed; the completion is dated by that attempt (or, with no
    quiz, by the last material finished).

    :return: the :class:`TrainingCompletion`, or None when not (yet) completed.
    """
    stmt = sa.select(TrainingCompletion).where(
        TrainingCompletion.user_id == user_id, TrainingCompletion.course_id == course.id
    )
    existing = db.session.scalar(stmt)
    if existing is not None:
        return existing
    if not materials_done(course, user_id):
        return None
    attempt = None
    if course.arrangement_id is not None:
        attempt = db.session.scalar(
            sa.select(Attempt)
            .where(
                Attempt.arrangement_id == course.arrangement_id,
                Attempt.user_id == user_id,
                Attempt.status == "graded",
                Attempt.passed.is_(True),
            )
            .order_by(Attempt.submitted_at)
            .limit(1)
        )
        if attempt is None:
            return None
        completed_at = attempt.submitted_at
    else:
        completed_at = db.session.scalar(
            sa.select(sa.func.max(MaterialProgress.completed_at)).where(
                MaterialProgress.user_id == user_id,
                MaterialProgress.material_id.in_([m.id for m in course.materials]),
            )
        )
    completion = TrainingCompletion(
        user_id=user_id,
        course_id=course.id,
        year=to_local(completed_at).year,
        hours=course.credit_hours,
        quiz_score=attempt.score if attempt is not None else None,
        attempt_id=attempt.id if attempt is not None else None,
        completed_at=completed_at,
    )
    try:
        with db.session.begin_nested():
            db.session.add(completion)
    except IntegrityError:
        return db.session.scalar(stmt)
    logger.info("Course %s completed by user %s", course.id, user_id)
    return completion


def sync_pending_completions():
    """Record every completion that is due from passed quiz attempts (periodic job,
    and before reports are built).

    :return: the number of completions recorded.
    """
    rows = db.session.execute(
        sa.select(TrainingCourse, Attempt.user_id)
        .join(ExamArrangement, TrainingCourse.arrangement_id == ExamArrangement.id)
        .join(Attempt, Attempt.arrangement_id == ExamArrangement.id)
        .where(
            Attempt.status == "graded",
            Attempt.passed.is_(True),
            ~sa.exists().where(
                TrainingCompletion.course_id == TrainingCourse.id,
                TrainingCompletion.user_id == Attempt.user_id,
            ),
        )
        .distinct()
    ).all()
    recorded = 0
    for course, user_id in rows:
        if sync_completion(course, user_id) is not None:
            recorded += 1
    return recorded


def set_requirement(actor, *, organisation, role, year, hours):
    """Set the 年度学时要求 of a role in an organisation subtree (upsert, audited)."""
    row = db.session.scalar(
        sa.select(TrainingRequirement).where(
            TrainingRequirement.organisation_id == organisation.id,
            TrainingRequirement.role == role,
            TrainingRequirement.year == year,
        )
    )
    before = None
    if row is None:
        row = TrainingRequirement(organisation_id=organisation.id, role=role, year=year)
        db.session.add(row)
    else:
        before = {"hours": str(row.hours)}
    row.hours = hours
    db.session.flush()
    audit.record(
        "training_requirement_set",
        actor,
        row,
        label=f"{organisation.name} {year}年学时要求",
        before=before,
        after={"role": role, "hours": str(hours), "organisation": organisation.name},
    )
    return row


def elapsed_fraction(year, now):
    """The fraction (0…1) of ``year`` (China time) elapsed at ``now`` (naive UTC)."""
    start, end = year_bounds(year)
    if now <= start:
        return Decimal(0)
    if now >= end:
        return Decimal(1)
    return Decimal((now - start) / timedelta(seconds=1)) / Decimal(
        (end - start) / timedelta(seconds=1)
    )
