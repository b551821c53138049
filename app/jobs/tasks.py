"""RQ tasks: thin wrappers that load ids and call a service. Each creates its own app context
when run by a worker (see `app.jobs.worker`)."""

from __future__ import annotations

from app.jobs.context import with_app_context


@with_app_context
def send_password_reset(user_id: int) -> None:
    from app.services import accounts

    accounts.send_password_reset_email(user_id)
