"""Errors a service raises; views turn them into form errors, 404s or flashes."""


class ServiceError(Exception):
    """A business action refused, with a message for the user (French)."""


class NotFound(ServiceError):
    """Absent, or not visible to this user: both look the same from outside."""


class Forbidden(ServiceError):
    """Visible, but this user may not do that."""


class ValidationFailed(ServiceError):
    """Bad input. `errors` maps a field name (dotted for rows: invoices.1.due_date) to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
