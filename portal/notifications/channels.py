"""Outbound channels: e-mail over SMTP (smtplib) and SMS through a pluggable sender.

An SMS sender is any object with ``send(phone, text)`` that raises on failure; the
class is chosen by ``SMS_SENDER`` (a dotted path) and built with the app config.
See docs/notifications.md for adapters to 政务短信平台 and cloud SMS providers.
"""

import importlib
import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Protocol

from flask import current_app

logger = logging.getLogger(__name__)


def mask_email(address):
    """``zhangsan@example.cn`` → ``z***@example.cn`` (for logs and pages)."""
    if not address:
        return ""
    local, at, domain = address.partition("@")
    if not at:
        return "***"
    return (local[:1] or "") + "***@" + domain


def mask_phone(phone):
    """``13812341234`` → ``138****1234``."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_address(channel, address):
    return mask_email(address) if channel == "email" else mask_phone(address)


class DeliveryError(Exception):
    """A channel could not deliver; the message is safe to log (contact masked)."""


class SmsSender(Protocol):
    """What an SMS provider adapter implements."""

    def send(self, phone: str, text: str) -> None:  # pragma: no cover - protocol
        """Send ``text`` to ``phone`` (mainland number) or raise DeliveryError."""


class LoggingSmsSender:
    """Default sender: writes the message to the log with the number masked."""

    def __init__(self, config):
        self.config = config

    def send(self, phone, text):
        logger.info("SMS to %s: %s", mask_phone(phone), text)


def sms_sender():
    """The configured SMS sender instance."""
    path = current_app.config.get("SMS_SENDER") or (
        "portal.notifications.channels.LoggingSmsSender"
    )
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)(current_app.config)


def send_email(address, subject, text):
    """Send one plain-text e-mail through ``MAIL_SERVER``; raise DeliveryError."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise DeliveryError("未配置邮件服务器（MAIL_SERVER）")
    message = EmailMessage()
    message["Subject"] = subject
    sender = config.get("MAIL_FROM") or "noreply@localhost"
    message["From"] = formataddr((config.get("MAIL_FROM_NAME") or "", sender))
    message["To"] = address
    message["Message-ID"] = make_msgid(domain=sender.partition("@")[2] or None)
    message.set_content(text)
    try:
        with smtplib.SMTP(
            config["MAIL_SERVER"],
            int(config.get("MAIL_PORT") or 25),
            timeout=float(config.get("MAIL_TIMEOUT") or 10),
        ) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # smtplib errors may echo the recipient: never keep the address in the text.
        detail = str(exc).replace(address, mask_email(address))
        raise DeliveryError(f"邮件发送失败：{type(exc).__name__}: {detail}") from exc
