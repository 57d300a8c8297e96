"""Candidate pages of practice: start a set, answer with immediate feedback,
the 错题本 and mastery per knowledge point (issue #5, practice)."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from exams.banks.models import QuestionVersion
from exams.practice import display, queries, services
from exams.practice.forms import COUNT_CHOICES, StartForm
from exams.practice.mastery import LEVEL_LABELS, MIN_ANSWERS, WINDOW
from exams.practice.models import MistakeEntry
from portal.auth.decorators import roles_required
from portal.auth.roles import LEARNERS
from portal.exceptions import DomainError
from portal.extensions import db
from portal.timeutil import utcnow

bp = Blueprint("practice", __name__, template_folder="templates")

MISTAKE_FILTERS = {"active": "未掌握", "mastered": "已掌握", "all": "全部"}


@bp.context_processor
def _helpers():
    return {
        "type_labels": display.TYPE_LABELS,
        "key_text": display.key_text,
        "response_text": display.response_text,
        "option_rows": display.option_rows,
        "chosen_letters": display.chosen_letters,
        "level_labels": LEVEL_LABELS,
    }


def _own_session(session_id):
    session = queries.own_session(current_user, session_id)
    if session is None:
        abort(404)  # another user's session is not theirs to see, nor to know of
    return session


def _sync():
    """Bring released exam mistakes into the 错题本 (idempotent), then commit
    (also when only a key correction or ``show_answers`` changed a record)."""
    services.sync_exam_mistakes(current_user, utcnow())
    db.session.commit()


def _point_choices():
    counts, total, _ = queries.practisable_counts(current_user)
    points = sorted(queries.knowledge_points().values(), key=lambda p: p.path)
    choices = [
        (p.id, f"{'　' * p.depth}{p.name}（{counts.get(p.id, 0)} 题）")
        for p in points
        if counts.get(p.id)
    ]
    return choices, total


@bp.get("/")
@roles_required(*LEARNERS)
def home():
    """Start a set (by knowledge point or at random), resume unfinished sets."""
    _sync()
    form = StartForm()
    point_choices, total = _point_choices()
    active, mastered = queries.mistake_counts(current_user)
    unfinished = db.session.scalars(
        queries.sessions_for(current_user, "in_progress").limit(20)
    ).all()
    finished = db.session.scalars(
        queries.sessions_for(current_user, "finished").limit(10)
    ).all()
    return render_template(
        "practice/home.html",
        form=form,
        point_choices=point_choices,
        total=total,
        count_choices=COUNT_CHOICES,
        mistakes_active=active,
        mistakes_mastered=mastered,
        unfinished=unfinished,
        finished=finished,
        progress=_progress,
    )


def _progress(session):
    """(answered, correct) of a session."""
    return len(session.records), sum(r.correct for r in session.records)


@bp.post("/sessions")
@roles_required(*LEARNERS)
def start_session():
    """Draw and store a new set, then open its first question."""
    form = StartForm()
    back = request.form.get("back", "")
    back_url = {
        "mistakes": url_for("practice.list_mistakes"),
        "mastery": url_for("practice.show_mastery"),
    }.get(back, url_for("practice.home"))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return redirect(back_url)
    point_ids = request.form.getlist("knowledge_point_id")
    try:
        session = services.start_session(
            current_user,
            form.mode.data,
            utcnow(),
            count=form.count.data,
            knowledge_point_ids=point_ids,
            types=form.types.data or (),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(back_url)
    db.session.commit()
    return redirect(url_for("practice.take_session", session_id=session.id))


def _versions(session):
    ids = [item["version_id"] for item in session.items]
    return {
        v.id: v
        for v in db.session.scalars(
            sa.select(QuestionVersion).where(QuestionVersion.id.in_(ids))
        )
    }


@bp.get("/sessions/<int:session_id>")
@roles_required(*LEARNERS)
def take_session(session_id):
    """One question at a time (``?q=``) or the whole set (``?view=list``); an
    answered question shows its feedback."""
    session = _own_session(session_id)
    records = {r.position: r for r in session.records}
    size = len(session.items)
    as_list = request.args.get("view") == "list"
    if session.status == "finished" and "q" not in request.args and not as_list:
        return redirect(url_for("practice.show_summary", session_id=session.id))
    position = request.args.get("q", type=int)
    if position is None:
        position = next((p for p in range(size) if p not in records), 0)
    position = max(0, min(position, size - 1))
    versions = _versions(session)
    questions = [
        (p, versions[item["version_id"]], item, records.get(p))
        for p, item in enumerate(session.items)
    ]
    return render_template(
        "practice/session_take.html",
        session=session,
        questions=questions if as_list else [questions[position]],
        all_questions=questions,
        position=position,
        as_list=as_list,
        answered=len(records),
        correct=sum(r.correct for r in records.values()),
    )


@bp.post("/sessions/<int:session_id>/answer")
@roles_required(*LEARNERS)
def answer_question(session_id):
    """Grade one answer and show the feedback (a repeated submit changes nothing)."""
    session = _own_session(session_id)
    position = request.form.get("position", type=int)
    as_list = request.form.get("view") == "list"

    def back(pos):
        if as_list:
            return redirect(
                url_for("practice.take_session", session_id=session.id, view="list")
                + f"#q{pos}"
            )
        return redirect(url_for("practice.take_session", session_id=session.id, q=pos))

    if position is None:
        flash("请求格式错误", "danger")
        return back(0)
    item = session.items[position] if 0 <= position < len(session.items) else None
    version = db.session.get(QuestionVersion, item["version_id"]) if item else None
    if version is not None and version.type == "fill_blank":
        raw = request.form.getlist("blank")
    else:
        raw = request.form.getlist("response")
    try:
        _, created = services.answer_question(session, position, raw, utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return back(max(position, 0))
    db.session.commit()
    if not created:
        flash("本题已作答，以第一次提交的答案为准。", "info")
    return back(position)


@bp.post("/sessions/<int:session_id>/finish")
@roles_required(*LEARNERS)
def finish_session(session_id):
    """End a set early (unanswered questions stay unanswered)."""
    session = _own_session(session_id)
    services.finish_session(session, utcnow())
    db.session.commit()
    return redirect(url_for("practice.show_summary", session_id=session.id))


@bp.get("/sessions/<int:session_id>/summary")
@roles_required(*LEARNERS)
def show_summary(session_id):
    """How the set went: right, wrong and unanswered questions."""
    session = _own_session(session_id)
    records = {r.position: r for r in session.records}
    versions = _versions(session)
    rows = [
        (p, versions[item["version_id"]], records.get(p))
        for p, item in enumerate(session.items)
    ]
    return render_template(
        "practice/session_summary.html",
        session=session,
        rows=rows,
        answered=len(records),
        correct=sum(r.correct for r in records.values()),
    )


@bp.get("/mistakes")
@roles_required(*LEARNERS)
def list_mistakes():
    """The 错题本: entries from practice and released exams; re-practise them."""
    _sync()
    status = request.args.get("status", "active")
    if status not in MISTAKE_FILTERS:
        status = "active"
    page = db.paginate(
        queries.mistakes_for(current_user, status), per_page=20, error_out=False
    )
    active, mastered = queries.mistake_counts(current_user)
    practisable = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            queries.mistake_pool(current_user).subquery()
        )
    )
    return render_template(
        "practice/mistake_list.html",
        page=page,
        status=status,
        filters=MISTAKE_FILTERS,
        active=active,
        mastered=mastered,
        practisable=practisable,
        latest_wrong=queries.latest_wrong_record,
        streak=services.MASTERED_STREAK,
        count_choices=COUNT_CHOICES,
    )


@bp.post("/mistakes/<int:entry_id>/remove")
@roles_required(*LEARNERS)
def remove_mistake(entry_id):
    """Remove one entry from the user's own 错题本."""
    entry = db.session.get(MistakeEntry, entry_id)
    if entry is None or entry.user_id != current_user.id:
        abort(404)
    services.remove_mistake(entry)
    db.session.commit()
    flash("已从错题本移除。", "success")
    status = request.form.get("status", "active")
    return redirect(
        url_for(
            "practice.list_mistakes",
            status=status if status in MISTAKE_FILTERS else "active",
        )
    )


@bp.get("/mastery")
@roles_required(*LEARNERS)
def show_mastery():
    """Mastery per knowledge point (rolled up to parents) over the last answers."""
    _sync()
    counts, _, _ = queries.practisable_counts(current_user)
    rows = [
        row
        for row in queries.mastery_for(current_user)
        if row.answered or (row.point is not None and counts.get(row.point.id))
    ]
    return render_template(
        "practice/mastery.html",
        rows=rows,
        counts=counts,
        window=WINDOW,
        min_answers=MIN_ANSWERS,
        has_weak=any(r.level == "weak" for r in rows if r.point is not None),
    )
