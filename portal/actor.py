"""Who is acting: passed explicitly into services so they never read ``request`` (R5)."""

from dataclasses import dataclass

from flask import has_request_context, request
from flask_login import current_user


@dataclass(frozen=True)
class Actor:
    user: object | None
    ip: str | None = None

    @property
    def label(self):
        if self.user is None:
            return "系统"
        return f"{self.user.name}（{self.user.username}）"

    @classmethod
    def from_request(cls, user=None):
        """The signed-in user (or ``user``) and the client address of this request."""
        if user is None and current_user.is_authenticated:
            user = current_user._get_current_object()
        ip = request.remote_addr if has_request_context() else None
        return cls(user=user, ip=ip)

    @classmethod
    def system(cls):
        """The actor for CLI commands and background jobs."""
        return cls(user=None, ip=None)
