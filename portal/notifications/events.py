"""Who is told what, for each event that asks someone to act or that they wait for.

Each function is called with one line from the service that performs the event,
after its flush; it only adds notifications (flush, never commit). Dedupe keys make a
repeated call (a double submit, a re-run job) harmless.
"""

import hashlib

import sqlalchemy as sa

from portal.auth.models import Role, User, UserRole
from portal.extensions import db
from portal.notifications.service import notify, path_for
from portal.orgs.models import Organisation
from portal.timeutil import to_local, utcnow


def _ancestor_paths(path):
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def holders_over(org, role):
    """Active users holding ``role`` with a scope that covers ``org``."""
    if org is None:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .join(Organisation, UserRole.scope_id == Organisation.id)
            .where(
                UserRole.role == Role(role).value,
                Organisation.path.in_(_ancestor_paths(org.path)),
                User.is_active_account,
            )
            .distinct()
            .order_by(User.id)
        )
    )


def _when(moment, fmt="%Y-%m-%d %H:%M"):
    local = to_local(moment)
    return local.strftime(fmt) if local else ""


# Exams and training --------------------------------------------------------------


def exam_scheduled(arrangement):
    """Candidates (not exempt) learn of a new arrangement once."""
    notify(
        _candidates(arrangement),
        "exam_scheduled",
        f"考试安排：{arrangement.name}",
        body=f"考试时间：{_when(arrangement.window_start)} 至 "
        f"{_when(arrangement.window_end)}。",
        link=path_for("exams.list_exams"),
        dedupe_key=f"exam:{arrangement.id}:scheduled",
    )


def exam_changed(arrangement, detail, version=None):
    """Candidates (not exempt) of a published arrangement learn that its window,
    duration, place or rules changed (延期 included); each change is told once.

    :param detail: what changed, in Chinese, e.g. "考试时间调整为 …".
    :param version: keys the change (the arrangement services pass a hash of the
        changed settings); by default the window and the detail key it.
    """
    if version is None:
        version = (
            f"{arrangement.window_start.isoformat()}:{arrangement.window_end.isoformat()}"
            f":{hashlib.sha256(detail.encode()).hexdigest()[:12]}"
        )
    notify(
        _candidates(arrangement),
        "exam_changed",
        f"考试变更：{arrangement.name}",
        body=f"{detail}考试时间：{_when(arrangement.window_start)} 至 "
        f"{_when(arrangement.window_end)}，限时 {arrangement.duration_minutes} 分钟。",
        link=path_for("exams.list_exams"),
        dedupe_key=f"exam:{arrangement.id}:changed:{version}",
    )


def exam_cancelled(arrangement, reason=None):
    """The whole arrangement is cancelled: its candidates (not exempt) are told
    once, with the reason (by default the arrangement's ``cancel_reason``).

    Call it before the candidates are removed (they are read from the
    arrangement)."""
    reason = reason if reason is not None else arrangement.cancel_reason
    notify(
        _candidates(arrangement),
        "exam_cancelled",
        f"考试取消：{arrangement.name}",
        body=f"原定 {_when(arrangement.window_start)} 的考试已取消。"
        + (f"取消原因：{reason}" if reason else ""),
        link=path_for("exams.list_exams"),
        dedupe_key=f"exam:{arrangement.id}:cancelled",
    )


def candidate_removed(arrangement, user_id):
    """A candidate taken off the list is told the exam is cancelled for them."""
    notify(
        user_id,
        "exam_cancelled",
        f"考试取消：{arrangement.name}",
        body="您已不在本次考试名单中。",
        link=path_for("exams.list_exams"),
        dedupe_key=f"exam:{arrangement.id}:removed",
    )


def candidate_adjusted(arrangement, entry, action):
    """免考 cancels the exam for that candidate; extra time or 补考 changes it."""
    if action == "exempt":
        notify(
            entry.user_id,
            "exam_cancelled",
            f"考试取消：{arrangement.name}",
            body=f"您已免考，理由：{entry.exempt_reason}",
            link=path_for("exams.list_exams"),
            dedupe_key=f"exam:{arrangement.id}:exempt",
        )
        return
    if action == "extra":
        detail, value = (
            f"您的答题时间延长 {entry.extra_minutes} 分钟。",
            entry.extra_minutes,
        )
    else:
        detail = f"您的补考截止时间为 {_when(entry.makeup_until)}。"
        value = entry.makeup_until.isoformat()
    notify(
        entry.user_id,
        "exam_changed",
        f"考试变更：{arrangement.name}",
        body=detail,
        link=path_for("exams.list_exams"),
        dedupe_key=f"exam:{arrangement.id}:{action}:{value}",
    )


def _candidates(arrangement):
    return [c.user_id for c in arrangement.candidates if not c.is_exempt]


def _latest_attempts(arrangement_id):
    from exams.attempts.models import Attempt

    rows = db.session.scalars(
        sa.select(Attempt)
        .where(
            Attempt.arrangement_id == arrangement_id, Attempt.status != "in_progress"
        )
        .order_by(Attempt.user_id, Attempt.number)
    )
    latest = {}
    for attempt in rows:
        latest[attempt.user_id] = attempt
    return latest.values()


def results_released(arrangement):
    """Each candidate who sat the exam is told the result is out."""
    released = arrangement.results_released_at
    key = f"results:{arrangement.id}"
    if released is not None:  # a release after a withdrawal is news again
        key += f":{released.isoformat()}"
    for attempt in _latest_attempts(arrangement.id):
        notify(
            attempt.user_id,
            "result_released",
            f"成绩已公布：{arrangement.name}",
            link=path_for("exams.show_result", attempt_id=attempt.id),
            dedupe_key=key,
        )


def results_withdrawn(arrangement, reason):
    """Candidates who sat are told the published result was withdrawn, and why."""
    stamp = utcnow().isoformat()
    for attempt in _latest_attempts(arrangement.id):
        notify(
            attempt.user_id,
            "result_withdrawn",
            f"成绩撤回：{arrangement.name}",
            body=f"已公布的成绩暂时撤回，原因：{reason}。重新公布后将另行通知。",
            link=path_for("exams.show_result", attempt_id=attempt.id),
            dedupe_key=f"results:{arrangement.id}:withdrawn:{stamp}",
        )


def appeal_decided(appeal):
    """The candidate learns how their 成绩复核 request ended (rejected with the
    reason, accepted and waiting for the re-mark, or resolved with the score)."""
    name = appeal.arrangement.name
    if appeal.status == "rejected":
        body = f"您的成绩复核申请不予受理，理由：{appeal.decision_reason}"
    elif appeal.status == "accepted":
        body = "您的成绩复核申请已受理，将由另一位阅卷人重新评分。"
    else:
        body = (
            f"成绩复核已完成：复核前 {appeal.score_before} 分，"
            f"复核后 {appeal.score_after} 分。"
        )
    notify(
        appeal.user_id,
        "appeal_decided",
        f"成绩复核：{name}",
        body=body,
        link=path_for("exams.show_result", attempt_id=appeal.attempt_id),
        dedupe_key=f"appeal:{appeal.id}:{appeal.status}",
    )


def scores_of(attempts):
    """Scores before a regrade, for :func:`scores_changed`."""
    return {a.id: a.score for a in attempts}


def scores_changed(attempts, before):
    """After a key correction: candidates whose score changed are told the new one."""
    for attempt in attempts:
        old, new = before.get(attempt.id), attempt.score
        if old == new or new is None:
            continue
        notify(
            attempt.user_id,
            "score_changed",
            f"成绩更正：{attempt.arrangement.name}",
            body=f"因试题答案更正，您的成绩由 {old} 分调整为 {new} 分。",
            link=path_for("exams.show_result", attempt_id=attempt.id),
            dedupe_key=f"score:{attempt.id}:{new}",
        )


def course_published(course):
    """The course's audience (officers and/or auxiliaries in its subtree)."""
    roles = [Role.OFFICER.value] if course.for_officer else []
    roles += [Role.AUXILIARY.value] if course.for_auxiliary else []
    if not roles:
        return
    org = db.session.get(Organisation, course.organisation_id)
    users = db.session.scalars(
        sa.select(User.id)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(
            User.is_active_account,
            Organisation.path.startswith(org.path, autoescape=True),
            User.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_(roles))),
        )
    ).all()
    notify(
        users,
        "course_assigned",
        f"培训课程：{course.title}",
        body=f"请在 {course.year} 年度内完成学习。",
        link=path_for("training.show_course", course_id=course.id),
        dedupe_key=f"course:{course.id}:published",
    )


# Case review and 监督意见书 -------------------------------------------------------


def review_assigned(assignment):
    case = assignment.case
    notify(
        assignment.assignee_id,
        "review_assigned",
        f"评查任务：{case.title}",
        body=f"{case.agency.name} 的案卷已分配给您评查"
        + (f"，评查期限 {assignment.due_on:%Y-%m-%d}。" if assignment.due_on else "。"),
        link=path_for("reviews.edit_review", case_id=case.id),
        dedupe_key=f"assignment:{assignment.id}",
    )


def review_submitted(review):
    case = review.case
    notify(
        holders_over(case.agency, Role.SUPERVISION_STAFF),
        "review_submitted",
        f"评查已提交：{case.title}",
        body=f"{review.reviewer.name} 提交了评查表，得分 {review.score}，"
        f"等次 {review.grade_label}。",
        link=path_for("casebank.show_case", case_id=case.id),
        dedupe_key=f"review:{review.id}:submitted",
    )


def _opinion_link(opinion):
    return path_for("opinions.show_opinion", opinion_id=opinion.id)


def opinion_issued(opinion):
    notify(
        holders_over(opinion.agency, Role.AGENCY_HANDLER),
        "opinion_issued",
        f"监督意见书 {opinion.number}",
        body=f"请于 {opinion.due_on:%Y-%m-%d} 前完成整改并报送整改情况。",
        link=_opinion_link(opinion),
        dedupe_key=f"opinion:{opinion.id}:issued",
    )


def opinion_replied(opinion):
    staff = holders_over(opinion.agency, Role.SUPERVISION_STAFF)
    if opinion.issued_by_id:
        staff.append(opinion.issued_by_id)
    notify(
        staff,
        "opinion_replied",
        f"整改情况待审核：{opinion.number}",
        body=f"{opinion.agency.name} 报送了第 {len(opinion.replies)} 次整改情况。",
        link=_opinion_link(opinion),
        dedupe_key=f"opinion:{opinion.id}:reply:{len(opinion.replies)}",
    )


def opinion_decided(opinion, accepted):
    """采纳 (办结) or 退回: the agency's handlers are told."""
    rounds = len(opinion.replies)
    if accepted:
        kind, title = (
            "opinion_accepted",
            f"整改情况已采纳，意见书办结：{opinion.number}",
        )
        body = ""
    else:
        kind, title = "opinion_returned", f"整改情况被退回：{opinion.number}"
        reply = opinion.latest_reply
        body = f"退回理由：{reply.return_reason}" if reply else ""
    notify(
        holders_over(opinion.agency, Role.AGENCY_HANDLER),
        kind,
        title,
        body=body,
        link=_opinion_link(opinion),
        dedupe_key=f"opinion:{opinion.id}:{kind}:{rounds}",
    )


# Public suggestions -------------------------------------------------------------


def _handlers_of(suggestion):
    if suggestion.handler_id:
        return [suggestion.handler_id]
    return holders_over(suggestion.assigned_org, Role.AGENCY_HANDLER)


def _staff_of(suggestion):
    org = suggestion.organisation or suggestion.assigned_org
    return holders_over(org, Role.SUPERVISION_STAFF)


def staff_managing(suggestion, *orgs):
    """Supervision staff who manage ``suggestion`` now (the inbox rule of
    :mod:`portal.suggestions.handling.access`), found over its organisation, its
    assigned agency and ``orgs``; items without an organisation go to staff whose
    scope is a city (root)."""
    from portal.suggestions.handling import access

    candidates = []
    for org in (suggestion.organisation, suggestion.assigned_org, *orgs):
        candidates += holders_over(org, Role.SUPERVISION_STAFF)
    if suggestion.organisation is None:
        candidates += list(
            db.session.scalars(
                sa.select(User)
                .join(UserRole, UserRole.user_id == User.id)
                .join(Organisation, UserRole.scope_id == Organisation.id)
                .where(
                    UserRole.role == Role.SUPERVISION_STAFF.value,
                    Organisation.parent_id.is_(None),
                    User.is_active_account,
                )
                .distinct()
            )
        )
    seen, result = set(), []
    for user in candidates:
        if user.id not in seen and access.can_manage(user, suggestion):
            seen.add(user.id)
            result.append(user)
    return result


def suggestion_returned(suggestion, agency, reason):
    """退单: the staff who manage the item are told, with the agency's reason."""
    notify(
        staff_managing(suggestion, agency),
        "suggestion_returned",
        f"意见建议被退单：{suggestion.number}",
        body=f"{agency.name}退回，理由：{reason[:200]}。请重新转交办理。",
        link=path_for(
            "suggestion_handling.show_suggestion", suggestion_id=suggestion.id
        ),
        dedupe_key=f"suggestion:{suggestion.id}:agency_returned:{suggestion.version}",
    )


def suggestion_assigned(suggestion):
    notify(
        _handlers_of(suggestion),
        "suggestion_assigned",
        f"意见建议待办理：{suggestion.number}",
        body=f"办理期限至 {suggestion.due_on:%Y-%m-%d}。" if suggestion.due_on else "",
        link=path_for("suggestion_handling.show_task", suggestion_id=suggestion.id),
        dedupe_key=f"suggestion:{suggestion.id}:assigned:"
        f"{suggestion.assigned_org_id}:{suggestion.handler_id}",
    )


def suggestion_replied(suggestion):
    notify(
        _staff_of(suggestion),
        "suggestion_replied",
        f"意见建议答复待审核：{suggestion.number}",
        link=path_for(
            "suggestion_handling.show_suggestion", suggestion_id=suggestion.id
        ),
        dedupe_key=f"suggestion:{suggestion.id}:replied:{suggestion.version}",
    )


def suggestion_reply_returned(suggestion, reason):
    notify(
        _handlers_of(suggestion),
        "suggestion_reply_returned",
        f"意见建议答复被退回：{suggestion.number}",
        body=f"退回理由：{reason}",
        link=path_for("suggestion_handling.show_task", suggestion_id=suggestion.id),
        dedupe_key=f"suggestion:{suggestion.id}:returned:{suggestion.version}",
    )


def suggestion_published(suggestion):
    notify(
        _handlers_of(suggestion),
        "suggestion_published",
        f"意见建议答复已公开：{suggestion.number}",
        link=path_for("suggestion_handling.list_tasks"),
        dedupe_key=f"suggestion:{suggestion.id}:published",
    )


def escalation_received(escalation):
    suggestion = escalation.suggestion
    notify(
        _staff_of(suggestion),
        "escalation_received",
        f"监督员转办：{suggestion.number}",
        body=escalation.reason[:200],
        link=path_for("oversight.list_escalations"),
        dedupe_key=f"escalation:{escalation.id}",
    )
