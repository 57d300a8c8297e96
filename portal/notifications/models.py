"""Notifications (站内信), their outbound deliveries and each user's channel choice."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.timeutil import utcnow

CHANNELS = ("email", "sms")
CHANNEL_LABELS = {"site": "站内信", "email": "电子邮件", "sms": "短信"}
DELIVERY_STATES = ("pending", "sent", "failed")
DELIVERY_STATE_LABELS = {"pending": "待发送", "sent": "已发送", "failed": "发送失败"}


class Notification(db.Model):
    """One message to one user; read state is per user because the row is."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_dedupe"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE")
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    link: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    dedupe_key: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    read_at: so.Mapped[datetime | None] = so.mapped_column()

    deliveries: so.Mapped[list["NotificationDelivery"]] = so.relationship(
        back_populates="notification",
        cascade="all, delete-orphan",
        order_by="NotificationDelivery.id",
    )

    @property
    def is_read(self):
        return self.read_at is not None


class NotificationDelivery(db.Model):
    """One outbound copy (e-mail or SMS) of a notification, with its retry record."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        sa.UniqueConstraint(
            "notification_id", "channel", name="uq_notification_deliveries_channel"
        ),
        sa.CheckConstraint("channel IN ('email', 'sms')", name="channel_valid"),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name="status_valid"
        ),
        sa.CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    notification_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    channel: so.Mapped[str] = so.mapped_column(sa.String(10))
    address: so.Mapped[str] = so.mapped_column(sa.String(254))
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    next_attempt_at: so.Mapped[datetime | None] = so.mapped_column(index=True)
    sent_at: so.Mapped[datetime | None] = so.mapped_column()
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    notification: so.Mapped[Notification] = so.relationship(back_populates="deliveries")


class NotificationPreference(db.Model):
    """The channels a user chose besides 站内信 (always on) and the e-mail address."""

    __tablename__ = "notification_preferences"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    email_enabled: so.Mapped[bool] = so.mapped_column(default=False)
    sms_enabled: so.Mapped[bool] = so.mapped_column(default=False)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
