"""Certificate life-cycle through real attempts: issuance on the qualification path,
idempotency, regrades, replacement, annual review, expiry and admin status changes."""

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from exams.attempts.services import correct_key, grade_attempt
from exams.certs import jobs
from exams.certs.models import Certificate
from exams.certs.services import add_years, change_status, live_certificate
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.exceptions import InvalidState
from portal.extensions import db
from tests.exams.cert_setup import arrangement, qualification_path, qualify, sit

START = datetime(2027, 3, 1, 1, 0)  # stored UTC (09:00 in China)
WRONG_KEY = {"type": "true_false", "key": False}
RIGHT_KEY = {"type": "true_false", "key": True}


def certificates():
    return db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()


def audit_actions(certificate):
    return db.session.scalars(
        sa.select(AuditLog.action)
        .where(
            AuditLog.target_type == "Certificate",
            AuditLog.target_id == str(certificate.id),
        )
        .order_by(AuditLog.id)
    ).all()


def test_passing_the_path_issues_one_certificate(app, world):
    """专门 alone issues nothing; passing 通用 afterwards issues one certificate with
    the number, holder, domains, issue date and a three-year expiry; grading the
    attempt again creates no second certificate."""
    officer = world.users["officer"]
    special, general = qualification_path([officer], START)
    sit(special, officer, START + timedelta(minutes=10))
    assert certificates() == []
    attempt = sit(general, officer, START + timedelta(days=1, minutes=10))
    (certificate,) = certificates()
    assert certificate.number == "C-2027-000001"  # root organisation code C
    assert certificate.holder_id == officer.id
    assert certificate.attempt_id == attempt.id
    assert certificate.organisation_id == officer.organisation_id
    assert certificate.domain_names == ["城管"]  # the agency's domain
    assert certificate.issued_at == attempt.submitted_at
    assert certificate.expires_at == attempt.submitted_at.replace(year=2030)
    assert certificate.status == "valid"
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", certificate.verify_code)
    grade_attempt(attempt)
    grade_attempt(attempt, Actor.system())
    db.session.commit()
    assert len(certificates()) == 1
    assert audit_actions(certificate) == ["certificate_issued"]


def test_failing_or_special_only_issues_nothing(app, world, factories):
    """A failed 通用 attempt issues nothing; an organisation that runs only a 专门
    exam (no 通用 built on it) issues nothing either."""
    officer = world.users["officer"]
    special, general = qualification_path([officer], START)
    sit(special, officer, START + timedelta(minutes=10))
    failed = sit(general, officer, START + timedelta(days=1, minutes=10), good=False)
    assert failed.passed is False
    only_special = arrangement(
        "qual_special", [world.users["auxiliary"]], START, name="仅专门"
    )
    sit(only_special, world.users["auxiliary"], START + timedelta(minutes=5))
    db.session.commit()
    assert certificates() == []


def test_validity_years_and_number_prefix_are_configurable(app, world, factories):
    """CERT_VALIDITY_YEARS and CERT_NUMBER_PREFIX change new certificates; numbers
    count up per prefix and year."""
    app.config["CERT_VALIDITY_YEARS"] = 5
    app.config["CERT_NUMBER_PREFIX"] = "江城"
    officer = world.users["officer"]
    other = factories.user(role="officer", organisation=world.other_agency)
    special, general = qualification_path([officer, other], START)
    for user in (officer, other):
        sit(special, user, START + timedelta(minutes=10))
        sit(general, user, START + timedelta(days=1, minutes=10))
    first, second = certificates()
    assert (first.number, second.number) == ("江城-2027-000001", "江城-2027-000002")
    assert first.expires_at.year == 2032
    assert second.domain_names == ["市场监管"]


def test_add_years_handles_29_february():
    """A certificate issued on 29 February expires on 28 February."""
    assert add_years(datetime(2028, 2, 29, 3, 0), 3) == datetime(2031, 2, 28, 3, 0)


def test_regrade_to_fail_revokes_and_back_reinstates(app, world):
    """A key correction that turns the qualifying pass into a fail revokes the
    certificate (audited, with the reason); correcting it back reinstates it."""
    officer = world.users["officer"]
    attempt = qualify(officer, START)
    (certificate,) = certificates()
    general = attempt.arrangement
    version = general.question.current
    assert correct_key(version, WRONG_KEY, Actor.system()) == 1
    db.session.commit()
    assert attempt.passed is False
    assert certificate.status == "revoked"
    assert certificate.status_cause == "regrade"
    assert "重新评分" in certificate.status_reason
    assert correct_key(version, RIGHT_KEY, Actor.system()) == 1
    db.session.commit()
    assert certificate.status == "valid"
    assert len(certificates()) == 1
    assert audit_actions(certificate) == [
        "certificate_issued",
        "certificate_revoked",
        "certificate_reinstated",
    ]


def test_regrade_of_the_special_prerequisite_revokes(app, world):
    """When the 专门 pass the path was built on is regraded to a fail, the
    certificate is revoked too; an administrator's revocation is never undone by a
    regrade."""
    officer = world.users["officer"]
    special, general = qualification_path([officer], START)
    sit(special, officer, START + timedelta(minutes=10))
    sit(general, officer, START + timedelta(days=1, minutes=10))
    (certificate,) = certificates()
    correct_key(special.question.current, WRONG_KEY, Actor.system())
    assert certificate.status == "revoked"
    correct_key(special.question.current, RIGHT_KEY, Actor.system())
    assert certificate.status == "valid"
    change_status(certificate, "revoke", "调离执法岗位", Actor.system(), START)
    correct_key(special.question.current, WRONG_KEY, Actor.system())
    correct_key(special.question.current, RIGHT_KEY, Actor.system())
    db.session.commit()
    assert certificate.status == "revoked"
    assert certificate.status_reason == "调离执法岗位"


def test_new_qualification_replaces_the_live_certificate(app, world):
    """Qualifying again (a later path) revokes the old certificate as replaced and
    issues a new one: one certificate in force per holder."""
    officer = world.users["officer"]
    qualify(officer, START)
    qualify(officer, START + timedelta(days=400))
    db.session.commit()
    old, new = certificates()
    assert old.status == "revoked"
    assert old.status_cause == "replaced"
    assert new.number in old.status_reason
    assert new.status == "valid"
    assert new.number == "C-2028-000001"
    assert live_certificate(officer.id) == new


def test_annual_review_updates_the_certificate(app, world):
    """A passed 年度审验 records the review; a failed one (no pass that year)
    suspends the certificate (暂扣); passing the 补考 lifts the suspension."""
    officer = world.users["officer"]
    qualify(officer, START)
    (certificate,) = certificates()
    review = arrangement(
        "annual_review", [officer], START + timedelta(days=300), name="2027年度审验"
    )
    sit(review, officer, START + timedelta(days=300, minutes=10))
    assert certificate.reviewed_year == 2027
    assert certificate.last_reviewed_at == START + timedelta(days=300, minutes=15)
    assert certificate.status == "valid"

    next_year = START + timedelta(days=380)
    review_2028 = arrangement("annual_review", [officer], next_year, name="2028审验")
    first = sit(review_2028, officer, next_year + timedelta(minutes=10), good=False)
    assert certificate.status == "suspended"
    assert certificate.status_cause == "review"
    assert "2028年年度审验未通过" == certificate.status_reason
    assert certificate.reviewed_year == 2027
    grade_attempt(first)  # regrading the same result changes nothing
    assert audit_actions(certificate).count("certificate_suspended") == 1

    sit(review_2028, officer, next_year + timedelta(hours=1), good=True)  # 补考
    db.session.commit()
    assert certificate.status == "valid"
    assert certificate.reviewed_year == 2028
    assert audit_actions(certificate) == [
        "certificate_issued",
        "certificate_reviewed",
        "certificate_suspended",
        "certificate_reviewed",
        "certificate_reinstated",
    ]


def test_review_pass_does_not_lift_an_admin_suspension(app, world):
    """Only suspensions caused by a failed review are lifted by a passed review."""
    officer = world.users["officer"]
    qualify(officer, START)
    (certificate,) = certificates()
    change_status(certificate, "suspend", "涉嫌违纪", Actor.system(), START)
    review = arrangement("annual_review", [officer], START + timedelta(days=30))
    sit(review, officer, START + timedelta(days=30, minutes=5))
    db.session.commit()
    assert certificate.reviewed_year == 2027
    assert certificate.status == "suspended"
    assert certificate.status_reason == "涉嫌违纪"


def test_expiry_job(app, world):
    """The periodic job expires certificates past their expiry (audited) and only
    once; before it runs, the effective status already says expired."""
    officer = world.users["officer"]
    with freeze_time(START):
        qualify(officer, START)
        db.session.commit()
    (certificate,) = certificates()
    with freeze_time(certificate.expires_at - timedelta(days=1)):
        assert jobs.expire_certificates() == 0
    after = certificate.expires_at + timedelta(minutes=1)
    assert certificate.effective_status(after) == "expired"
    with freeze_time(after):
        assert jobs.expire_certificates() == 1
        db.session.commit()
        assert jobs.expire_certificates() == 0
    assert certificate.status == "expired"
    assert audit_actions(certificate)[-1] == "certificate_expired"
    with pytest.raises(InvalidState, match="已过期"):
        change_status(certificate, "reinstate", "误操作", Actor.system(), after)


def test_admin_status_changes_need_a_reason_and_a_valid_transition(app, world):
    """Suspend, revoke and reinstate require a reason and a status that allows them;
    reinstating is refused while another certificate of the holder is in force."""
    officer = world.users["officer"]
    qualify(officer, START)
    (certificate,) = certificates()
    actor, now = Actor.system(), START + timedelta(days=2)
    with pytest.raises(InvalidState, match="请填写原因"):
        change_status(certificate, "suspend", "  ", actor, now)
    with pytest.raises(InvalidState, match="不能执行该操作"):
        change_status(certificate, "reinstate", "恢复", actor, now)
    change_status(certificate, "suspend", "暂停执法", actor, now)
    assert certificate.status == "suspended"
    change_status(certificate, "revoke", "离职", actor, now)
    assert certificate.status == "revoked"
    qualify(officer, START + timedelta(days=10))
    with pytest.raises(InvalidState, match="已有在用证书"):
        change_status(certificate, "reinstate", "误注销", actor, now)
    db.session.commit()
    assert [c.status for c in certificates()] == ["revoked", "valid"]


def test_flask_jobs_periodic_expires_certificates(app, world, runner):
    """`flask jobs periodic` (inline without Redis) runs the expiry job, which
    commits its work."""
    qualify(world.users["officer"], START)
    db.session.commit()
    (certificate,) = certificates()
    with freeze_time(certificate.expires_at + timedelta(hours=1)):
        result = runner.invoke(args=["jobs", "periodic"])
    assert result.exit_code == 0, result.output
    assert "exams.certs.jobs.expire_certificates: 已直接执行" in result.output
    db.session.expire_all()
    (certificate,) = certificates()
    assert certificate.status == "expired"


def test_review_without_a_certificate_changes_nothing(app, world):
    """A 年度审验 result of someone without a live certificate is ignored."""
    auxiliary = world.users["auxiliary"]
    review = arrangement("annual_review", [auxiliary], START)
    sit(review, auxiliary, START + timedelta(minutes=5), good=False)
    db.session.commit()
    assert certificates() == []


def test_number_collision_is_retried(app, world, monkeypatch):
    """If a concurrent issuance took the number first (unique constraint), the
    issuance is retried in a savepoint with the next free number."""
    from exams.certs import services

    officer, other = world.users["officer"], world.users["auxiliary"]
    qualify(officer, START)
    (taken,) = certificates()
    real_next = services.next_number
    calls = []

    def racing_next_number(prefix, year):
        calls.append(prefix)
        # First call: what a racing request had just inserted.
        return taken.number if len(calls) == 1 else real_next(prefix, year)

    monkeypatch.setattr(services, "next_number", racing_next_number)
    qualify(other, START)
    db.session.commit()
    assert len(calls) == 2
    assert [c.number for c in certificates()] == ["C-2027-000001", "C-2027-000002"]
    assert [c.status for c in certificates()] == ["valid", "valid"]
