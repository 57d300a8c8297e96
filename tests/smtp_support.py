"""A real SMTP server for tests (aiosmtpd on a free local port)."""

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


class Mailbox:
    """Collects every message the server accepts."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address):
        with self._lock:
            return [m for rcpts, m in self.messages if address in rcpts]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """Start/stop wrapper: ``host``, ``port``, ``mailbox``."""

    def __init__(self):
        self.host = "127.0.0.1"
        self.port = free_port()
        self.mailbox = Mailbox()
        self._controller = Controller(self.mailbox, hostname=self.host, port=self.port)

    def start(self):
        self._controller.start()
        return self

    def stop(self):
        self._controller.stop()

    def config(self):
        return {
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_FROM": "zhifa@example.cn",
            "MAIL_TIMEOUT": 5,
        }
