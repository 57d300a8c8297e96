"""Notifications: 站内信 rows, read state, channels, real SMTP delivery, retries."""

import logging

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditLog
from portal.auth.models import Role
from portal.extensions import db
from portal.notifications import service
from portal.notifications.jobs import daily_digest
from portal.notifications.models import (
    Notification,
    NotificationDelivery,
    NotificationPreference,
)
from tests.smtp_support import SmtpServer, free_port


@pytest.fixture
def smtp(app):
    server = SmtpServer().start()
    app.config.update(server.config())
    yield server
    server.stop()


def _officer(world):
    return world.users[Role.OFFICER.value]


def _prefer(user, email=None, sms=False):
    db.session.add(
        NotificationPreference(
            user_id=user.id, email=email, email_enabled=bool(email), sms_enabled=sms
        )
    )
    db.session.commit()


def test_notify_is_idempotent_by_dedupe_key(app, world):
    """Does a second notify with the same key add nothing, per user?"""
    officer, staff = _officer(world), world.users[Role.SUPERVISION_STAFF.value]
    first = service.notify(
        [officer, staff.id], "exam_scheduled", "考试安排", dedupe_key="k1"
    )
    again = service.notify(officer, "exam_scheduled", "考试安排", dedupe_key="k1")
    db.session.commit()
    assert len(first) == 2
    assert again == []
    rows = db.session.scalars(sa.select(Notification)).all()
    assert sorted(n.user_id for n in rows) == sorted([officer.id, staff.id])
    with pytest.raises(ValueError, match="unknown notification kind"):
        service.notify(officer, "no_such_kind", "x")


def test_inactive_users_are_skipped(app, world):
    officer = _officer(world)
    officer.is_active_account = False
    db.session.commit()
    assert service.notify(officer, "exam_scheduled", "考试安排") == []


def test_centre_unread_badge_open_and_mark_all(app, world, client, auth):
    """Is the unread count in the navbar, does opening mark read and follow the link,
    and does 全部标为已读 clear the rest?"""
    officer = _officer(world)
    (note,) = service.notify(officer, "result_released", "成绩已公布", link="/exams/")
    service.notify(officer, "exam_scheduled", "新的考试安排", body="请按时参加")
    other = service.notify(world.users["sys_admin"], "digest", "别人的通知")[0]
    db.session.commit()
    auth.login(officer.username)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="unread-count">2<' in page
    page = client.get("/notifications/").get_data(as_text=True)
    assert "成绩已公布" in page
    assert "请按时参加" in page
    assert "别人的通知" not in page
    response = client.post(f"/notifications/{note.id}/open")
    assert response.status_code == 302
    assert response.location.endswith("/exams/")
    assert db.session.get(Notification, note.id).read_at is not None
    assert client.post(f"/notifications/{other.id}/open").status_code == 404
    assert client.post(f"/notifications/{other.id}/read").status_code == 404
    page = client.get("/notifications/?unread=1").get_data(as_text=True)
    assert "新的考试安排" in page
    assert "成绩已公布" not in page
    client.post("/notifications/read-all")
    assert service.unread_count(officer) == 0
    assert db.session.get(Notification, other.id).read_at is None
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="unread-count"' not in page


def test_settings_validate_and_audit_masked(app, world, client, auth):
    """Are bad settings refused in Chinese, and is the change audited with the
    contact data masked?"""
    officer = _officer(world)
    officer.phone = None
    db.session.commit()
    auth.login(officer.username)
    page = client.post(
        "/notifications/settings", data={"email": "", "email_enabled": "y"}
    ).get_data(as_text=True)
    assert "选择电子邮件接收时须填写邮箱地址" in page
    page = client.post(
        "/notifications/settings", data={"email": "not-an-address", "sms_enabled": "y"}
    ).get_data(as_text=True)
    assert "请输入正确的电子邮箱地址" in page
    assert "未登记手机号" in page
    response = client.post(
        "/notifications/settings",
        data={"email": "zhangsan@example.cn", "email_enabled": "y"},
    )
    assert response.status_code == 302
    pref = db.session.get(NotificationPreference, officer.id)
    assert pref.email == "zhangsan@example.cn"
    assert pref.email_enabled
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "notification_settings_changed")
    )
    assert "z***@example.cn" in entry.after
    assert "zhangsan@" not in entry.after


def test_email_arrives_at_real_smtp_server(app, world, smtp):
    """Is a committed notification delivered by e-mail to a real SMTP server?"""
    officer = _officer(world)
    _prefer(officer, email="officer@example.cn")
    app.config["PORTAL_BASE_URL"] = "https://zhifa.example.cn"
    service.notify(officer, "result_released", "成绩已公布", link="/exams/")
    db.session.commit()
    assert service.dispatch_ready() == 1
    (message,) = smtp.mailbox.to("officer@example.cn")
    assert message["Subject"] == "成绩已公布"
    assert "https://zhifa.example.cn/exams/" in message.get_content()
    delivery = db.session.scalar(sa.select(NotificationDelivery))
    assert delivery.status == "sent"
    assert delivery.attempts == 1
    # Running the job again sends nothing more.
    service.deliver(delivery.id)
    assert len(smtp.mailbox.to("officer@example.cn")) == 1


def test_rolled_back_notification_is_not_delivered(app, world, smtp):
    officer = _officer(world)
    _prefer(officer, email="officer@example.cn")
    service.notify(officer, "result_released", "不会发出")
    db.session.rollback()
    db.session.commit()
    assert service.dispatch_ready() == 0
    assert smtp.mailbox.messages == []


def test_failing_smtp_is_recorded_and_retried(app, world, caplog):
    """Does an unreachable SMTP server leave the notification in place, record the
    failed attempt (address masked) and succeed on a later retry?"""
    officer = _officer(world)
    _prefer(officer, email="officer@example.cn")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    service.notify(officer, "result_released", "成绩已公布")
    db.session.commit()
    with caplog.at_level(logging.INFO):
        service.dispatch_ready()
    delivery = db.session.scalar(sa.select(NotificationDelivery))
    assert delivery.status == "pending"
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("邮件发送失败")
    assert delivery.next_attempt_at is not None
    assert "officer@example.cn" not in caplog.text
    assert "o***@example.cn" in caplog.text
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1
    # Not yet due: the retry job leaves it; once due, it is sent.
    assert service.retry_deliveries() == 0
    server = SmtpServer().start()
    try:
        app.config.update(server.config())
        delivery.next_attempt_at = None
        db.session.commit()
        assert service.retry_deliveries() == 1
        db.session.expire_all()
        delivery = db.session.scalar(sa.select(NotificationDelivery))
        assert delivery.status == "sent"
        assert delivery.attempts == 2
        assert len(server.mailbox.to("officer@example.cn")) == 1
    finally:
        server.stop()


def test_delivery_gives_up_after_the_last_retry(app, world):
    officer = _officer(world)
    _prefer(officer, email="officer@example.cn")
    app.config.update(MAIL_SERVER=None)
    service.notify(officer, "digest", "摘要")
    db.session.commit()
    delivery = db.session.scalar(sa.select(NotificationDelivery))
    for _ in range(len(service.RETRY_MINUTES) + 1):
        delivery.next_attempt_at = None
        service.deliver(delivery.id)
    assert delivery.status == "failed"
    assert "未配置邮件服务器" in delivery.last_error


def test_sms_logging_sender_masks_the_number(app, world, caplog):
    officer = _officer(world)
    officer.phone = "13812341234"
    db.session.commit()
    _prefer(officer, sms=True)
    service.notify(officer, "exam_cancelled", "考试取消")
    db.session.commit()
    with caplog.at_level(logging.INFO):
        service.dispatch_ready()
    assert "138****1234" in caplog.text
    assert "13812341234" not in caplog.text
    assert db.session.scalar(sa.select(NotificationDelivery.status)) == "sent"


def test_digest_runs_from_periodic_jobs(app, runner):
    """Is the daily digest among `flask jobs periodic` and runnable with no work?"""
    result = runner.invoke(args=["jobs", "periodic"])
    assert result.exit_code == 0, result.output
    assert "portal.notifications.jobs.daily_digest" in result.output
    assert daily_digest() == 0
