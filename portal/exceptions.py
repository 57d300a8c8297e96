"""Domain exceptions raised by services and mapped to HTTP by ``portal.errors`` (R10)."""


class DomainError(Exception):
    """Base class; ``message`` is shown to the user and must be Chinese."""

    status_code = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    status_code = 403


class InvalidState(DomainError):
    status_code = 409


class ValidationFailed(DomainError):
    status_code = 400


class Conflict(DomainError):
    status_code = 409
