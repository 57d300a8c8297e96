"""Certificate life-cycle: issuance, regrades, annual review, expiry, admin changes.

Services flush; the edge (view, job, CLI) commits (STYLE R5). Every change is
audited. The rules are written down in ``docs/certificates.md``:

* Passing a 资格考试（通用法律知识） attempt issues the certificate, provided the
  attempt is the candidate's result (the counted attempt of
  :mod:`exams.results.definition`: best, last or first, per arrangement) and the
  arrangement's 专门 prerequisite (if any) was passed by its counted attempt. Passing a 专门 exam alone
  never issues one: 通用 is always the last step of the path.
* Grading is idempotent (one certificate per qualifying attempt); a regrade that
  turns the qualifying pass (or its prerequisite pass) into a fail revokes the
  certificate, and a later regrade back to a pass reinstates it.
* A graded 年度审验 attempt updates the holder's live certificate: a pass records
  the review (and lifts a suspension caused by a failed review); a fail with no pass
  in the same year suspends it (暂扣).
"""

import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from exams.attempts.models import Attempt
from exams.certs.models import LIVE_STATUSES, STATUS_LABELS, Certificate
from exams.papers.models import ExamArrangement
from exams.results.definition import candidate_result
from portal import audit, numbering
from portal.actor import Actor
from portal.auth.models import User
from portal.exceptions import InvalidState
from portal.extensions import db
from portal.orgs.models import Organisation
from portal.timeutil import to_local, utcnow

logger = logging.getLogger(__name__)

REGRADE_REASON = "重新评分后资格考试成绩不合格"
REVIEW_REASON = "年度审验未通过"
ADMIN_ACTIONS = {
    "suspend": ("valid",),
    "revoke": ("valid", "suspended"),
    "reinstate": ("suspended", "revoked"),
}


def on_attempt_graded(attempt, actor=None, now=None):
    """Hook called by :func:`exams.attempts.services.grade_attempt` whenever an attempt is
    (re)graded to its final state. Idempotent: calling it again changes nothing.

    :param attempt: a graded :class:`Attempt` (``passed`` is True or False).
    :param actor: who caused the grading (a marker, a key correction); system
        when omitted (submit, deadline job).
    :param now: the time of the change; defaults to the current UTC time.
    :return: the certificate affected, or None.
    """
    if attempt.status != "graded" or attempt.passed is None:
        return None
    actor = actor or Actor.system()
    now = now or utcnow()
    kind = attempt.arrangement.kind
    if kind == "qual_general":
        # The counted attempt may move to another attempt of the candidate (a
        # regrade under the "best" policy): sync them all, those no longer
        # counted first (one live certificate per holder).
        others = [
            a
            for a in db.session.scalars(
                sa.select(Attempt).where(
                    Attempt.arrangement_id == attempt.arrangement_id,
                    Attempt.user_id == attempt.user_id,
                    Attempt.status == "graded",
                    Attempt.id != attempt.id,
                )
            )
            if certificate_of_attempt(a.id) is not None
        ]
        for other in others:
            sync_qualification(other, actor, now)
        return sync_qualification(attempt, actor, now)
    if kind == "qual_special":
        # The prerequisite of a 通用 exam changed: re-check every certificate
        # built on it (a regrade of 专门 can break or restore the path).
        dependants = db.session.scalars(
            sa.select(Attempt)
            .join(ExamArrangement, Attempt.arrangement_id == ExamArrangement.id)
            .where(
                ExamArrangement.kind == "qual_general",
                ExamArrangement.prerequisite_id == attempt.arrangement_id,
                Attempt.user_id == attempt.user_id,
                Attempt.status == "graded",
            )
        ).all()
        for general in dependants:
            sync_qualification(general, actor, now)
        return None
    if kind == "annual_review":
        return apply_annual_reviews(attempt.user_id, actor, now)
    return None


def _prerequisite_passed(arrangement, user_id):
    if arrangement.prerequisite_id is None:
        return True
    counted = candidate_result(arrangement.prerequisite_id, user_id)
    return counted is not None and bool(counted.passed)


def _is_counted(attempt):
    counted = candidate_result(attempt.arrangement_id, attempt.user_id)
    return counted is not None and counted.id == attempt.id


def certificate_of_attempt(attempt_id):
    """The certificate issued for a qualifying attempt, if any."""
    return db.session.scalar(
        sa.select(Certificate).where(Certificate.attempt_id == attempt_id)
    )


def live_certificate(holder_id):
    """The holder's valid or suspended certificate (at most one), if any."""
    return db.session.scalar(
        sa.select(Certificate).where(
            Certificate.holder_id == holder_id,
            Certificate.status.in_(LIVE_STATUSES),
        )
    )


def sync_qualification(attempt, actor, now):
    """Bring the certificate of a graded 通用 attempt in line with its result.

    Qualified (passed, prerequisite passed) and no certificate → issue one.
    Qualified and the certificate was revoked by a regrade → reinstate it.
    Not qualified and the certificate is live → revoke it (cause ``regrade``).

    :return: the certificate, or None.
    """
    qualified = (
        bool(attempt.passed)
        and _is_counted(attempt)
        and _prerequisite_passed(attempt.arrangement, attempt.user_id)
    )
    certificate = certificate_of_attempt(attempt.id)
    if certificate is None:
        return issue_certificate(attempt, actor, now) if qualified else None
    if qualified and certificate.status == "revoked":
        if certificate.status_cause == "regrade":
            _reinstate_after_regrade(certificate, actor, now)
    elif not qualified and certificate.status in LIVE_STATUSES:
        _set_status(
            certificate,
            "revoked",
            "regrade",
            REGRADE_REASON,
            actor,
            now,
            action="certificate_revoked",
        )
    return certificate


def _reinstate_after_regrade(certificate, actor, now):
    other = live_certificate(certificate.holder_id)
    if other is not None:
        # A newer certificate was issued meanwhile: it stays the one in force.
        logger.info("Not reinstating %r: %r is live", certificate, other)
        return
    status = "valid" if certificate.expires_at > now else "expired"
    _set_status(
        certificate,
        status,
        "regrade",
        "重新评分后资格考试成绩合格",
        actor,
        now,
        action="certificate_reinstated",
    )


def add_years(moment, years):
    """``moment`` plus whole calendar years (29 February → 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _root_code(organisation):
    root_id = int(organisation.path.strip("/").split("/")[0])
    root = db.session.get(Organisation, root_id)
    return root.code if root is not None else organisation.code


def number_prefix(holder):
    """The certificate number prefix: ``CERT_NUMBER_PREFIX`` or the code of the
    holder's city (the root of their organisation's path)."""
    return current_app.config.get("CERT_NUMBER_PREFIX") or _root_code(
        holder.organisation
    )


def next_number(prefix, year):
    """The next free number ``<prefix>-<year>-<6-digit sequence>``
    (:mod:`portal.numbering`, kind ``certificate:<prefix>``, one period per year)."""
    head = f"{prefix}-{year}-"
    numbers = db.session.scalars(
        sa.select(Certificate.number).where(
            Certificate.number.startswith(head, autoescape=True)
        )
    ).all()
    used = [int(n[len(head) :]) for n in numbers if n[len(head) :].isdigit()]
    # The shared counter serialises concurrent issuers; the numbers already
    # used are its floor (certificates issued before the counter existed).
    seq = numbering.next_value(f"certificate:{prefix}", year, max(used, default=0))
    return f"{head}{seq:06d}"


def _domains_of(holder):
    domains = holder.domains or holder.organisation.domains
    return [d.name for d in domains]


def issue_certificate(attempt, actor, now):
    """Issue the certificate of a qualifying attempt (idempotent per attempt).

    A live certificate the holder already has (an earlier qualification) is
    revoked as replaced (换发), so that one certificate is in force per holder.

    :return: the new :class:`Certificate`.
    """
    existing = certificate_of_attempt(attempt.id)
    if existing is not None:
        return existing
    holder = db.session.get(User, attempt.user_id)
    year = to_local(now).year
    prefix = number_prefix(holder)
    years = int(current_app.config.get("CERT_VALIDITY_YEARS", 3))
    previous = live_certificate(holder.id)
    for _ in range(5):
        number = next_number(prefix, year)
        certificate = Certificate(
            number=number,
            verify_code=secrets.token_urlsafe(16),
            holder_id=holder.id,
            organisation_id=holder.organisation_id,
            attempt_id=attempt.id,
            domain_names=_domains_of(holder),
            issued_at=now,
            expires_at=add_years(now, years),
            status="valid",
            status_cause="issued",
            status_changed_at=now,
        )
        try:
            with db.session.begin_nested():
                if previous is not None:
                    _set_status(
                        previous,
                        "revoked",
                        "replaced",
                        f"换发新证 {number}",
                        actor,
                        now,
                        action="certificate_revoked",
                    )
                db.session.add(certificate)
                db.session.flush()
        except IntegrityError:
            # A concurrent issuance took the number (or the attempt): try again.
            existing = certificate_of_attempt(attempt.id)
            if existing is not None:
                return existing
            previous = live_certificate(holder.id)
            continue
        audit.record(
            "certificate_issued",
            actor,
            certificate,
            after={
                "number": number,
                "holder": holder.audit_label,
                "attempt_id": attempt.id,
                "expires": to_local(certificate.expires_at).date().isoformat(),
            },
        )
        logger.info("Certificate %s issued to user %s", number, holder.id)
        return certificate
    raise InvalidState("证书编号生成冲突，请稍后重试")


def _set_status(certificate, status, cause, reason, actor, now, *, action):
    before = {"status": STATUS_LABELS[certificate.status]}
    certificate.status = status
    certificate.status_cause = cause
    certificate.status_reason = reason[:200]
    certificate.status_changed_at = now
    db.session.flush()
    audit.record(
        action,
        actor,
        certificate,
        before=before,
        after={"status": STATUS_LABELS[status], "reason": reason},
    )


def _china_year(moment):
    return to_local(moment).year


def apply_annual_reviews(holder_id, actor, now):
    """Recompute the holder's live certificate from their graded 年度审验 attempts
    since issuance (idempotent; regrades included).

    * the latest passed review is recorded (``last_reviewed_at``, ``reviewed_year``);
    * if the latest graded review failed and no review of that year passed, a
      valid certificate is suspended (暂扣, cause ``review``);
    * if the latest review passed, a suspension caused by a review is lifted.
      Suspensions by an administrator are left alone.

    :return: the certificate, or None when the holder has no live certificate.
    """
    certificate = live_certificate(holder_id)
    if certificate is None:
        return None
    reviews = db.session.scalars(
        sa.select(Attempt)
        .join(ExamArrangement, Attempt.arrangement_id == ExamArrangement.id)
        .where(
            ExamArrangement.kind == "annual_review",
            Attempt.user_id == holder_id,
            Attempt.status == "graded",
            Attempt.submitted_at >= certificate.issued_at,
        )
        .order_by(Attempt.submitted_at, Attempt.id)
    ).all()
    if not reviews:
        return certificate
    passes = [a for a in reviews if a.passed]
    latest_pass = passes[-1] if passes else None
    if (latest_pass.id if latest_pass else None) != certificate.review_attempt_id:
        before = {
            "reviewed_year": certificate.reviewed_year,
            "last_reviewed_at": certificate.last_reviewed_at,
        }
        certificate.review_attempt_id = latest_pass.id if latest_pass else None
        certificate.last_reviewed_at = latest_pass.submitted_at if latest_pass else None
        certificate.reviewed_year = (
            _china_year(latest_pass.submitted_at) if latest_pass else None
        )
        db.session.flush()
        audit.record(
            "certificate_reviewed",
            actor,
            certificate,
            before=before,
            after={
                "reviewed_year": certificate.reviewed_year,
                "attempt_id": certificate.review_attempt_id,
            },
        )
    latest = reviews[-1]
    year = _china_year(latest.submitted_at)
    passed_that_year = any(_china_year(a.submitted_at) == year for a in passes)
    if not latest.passed and not passed_that_year:
        if certificate.status == "valid":
            _set_status(
                certificate,
                "suspended",
                "review",
                f"{year}年{REVIEW_REASON}",
                actor,
                now,
                action="certificate_suspended",
            )
    elif certificate.status == "suspended" and certificate.status_cause == "review":
        _set_status(
            certificate,
            "valid",
            "review",
            f"{year}年度审验通过",
            actor,
            now,
            action="certificate_reinstated",
        )
    return certificate


def change_status(certificate, action, reason, actor, now):
    """An administrator suspends (暂扣), revokes (注销) or reinstates (恢复) a
    certificate, with a reason; audited.

    :raises InvalidState: no reason, a change not allowed from the current status,
        an expired certificate, or another certificate of the holder in force.
    """
    reason = (reason or "").strip()
    if action not in ADMIN_ACTIONS:
        raise InvalidState("未知的操作")
    if not reason:
        raise InvalidState("请填写原因")
    current = certificate.effective_status(now)
    if current == "expired":
        raise InvalidState("证书已过期，不能变更状态")
    if current not in ADMIN_ACTIONS[action]:
        raise InvalidState(f"证书当前状态为“{STATUS_LABELS[current]}”，不能执行该操作")
    if action == "reinstate":
        other = live_certificate(certificate.holder_id)
        if other is not None and other.id != certificate.id:
            raise InvalidState(f"持证人已有在用证书 {other.number}，不能恢复本证书")
        status, audit_action = "valid", "certificate_reinstated"
    elif action == "suspend":
        status, audit_action = "suspended", "certificate_suspended"
    else:
        status, audit_action = "revoked", "certificate_revoked"
    _set_status(certificate, status, "admin", reason, actor, now, action=audit_action)
    return certificate


def expire_certificates(now):
    """Periodic job body: mark valid or suspended certificates past their expiry
    as expired (audited, one entry per certificate).

    :return: the number of certificates expired.
    """
    due = db.session.scalars(
        sa.select(Certificate).where(
            Certificate.status.in_(LIVE_STATUSES), Certificate.expires_at <= now
        )
    ).all()
    for certificate in due:
        _set_status(
            certificate,
            "expired",
            "expiry",
            "有效期届满",
            Actor.system(),
            now,
            action="certificate_expired",
        )
    return len(due)


def days_until(moment, now):
    """Whole days from ``now`` until ``moment`` (negative when past)."""
    return (moment - now) // timedelta(days=1)


def verify_url(certificate, base_url):
    """The absolute URL of the public verification page of ``certificate``."""
    return f"{base_url.rstrip('/')}/verify/{certificate.verify_code}"


def issuer_name(certificate):
    """发证机关 printed on the certificate and shown by /verify: ``CERT_ISSUER``
    when configured (e.g. 某市人民政府), else the name of the root organisation of
    the certificate's unit (the city, whose code also prefixes the number)."""
    configured = current_app.config.get("CERT_ISSUER")
    if configured:
        return configured
    organisation = certificate.organisation
    root_id = next((p for p in organisation.path.split("/") if p), None)
    root = db.session.get(Organisation, int(root_id)) if root_id else None
    return (root or organisation).name
