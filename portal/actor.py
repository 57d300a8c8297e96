"""Who is acting: passed explicitly into services so they never read ``request`` (R5)."""

from dataclasses import dataclass

from flask import has_request_context, request
from flask_login import current_user


@dataclass(frozen=True)
class Actor:
    user: object | None
    ip: str | None = None
    is_public: bool = False  # a member of the public (no account), e.g. 意见建议

    @property
    def label(self):
        if self.user is None:
            return "社会公众（未登录）" if self.is_public else "系统"
        return f"{self.user.name}（{self.user.username}）"

    @classmethod
    def from_request(cls, user=None):
        """The signed-in user (or ``user``) and the client address of this request."""
        if user is None and current_user.is_authenticated:
            user = current_user._get_current_object()
        ip = request.remote_addr if has_request_context() else None
        return cls(user=user, ip=ip)

    @classmethod
    def public(cls):
        """A member of the public using a page without login (with the client IP)."""
        ip = request.remote_addr if has_request_context() else None
        return cls(user=None, ip=ip, is_public=True)

    @classmethod
    def system(cls):
        """The actor for CLI commands and background jobs."""
        return cls(user=None, ip=None)
