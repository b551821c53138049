"""Session rules: which stored session still loads, and when one expires (ASVS V3).

Flask-Login stores User.get_id() = "id:session_version" in the session; bumping the version
("log out everywhere", a password change or reset, an admin's second-factor reset) makes every
older session anonymous. A session also ends after a time without requests (idle) and a fixed
time after the login (absolute), whatever the activity.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.extensions import db
from app.models import User

IDLE = "idle"
ABSOLUTE = "absolute"


@dataclass(frozen=True)
class Limits:
    idle_seconds: int
    absolute_seconds: int


def load_session_user(stored_id: str) -> User | None:
    try:
        user_id, version = (int(part) for part in str(stored_id).split(":"))
    except ValueError:
        return None  # a session from before versions, or tampered: log in again
    user = db.session.get(User, user_id)
    if user is None or not user.active or (user.session_version or 0) != version:
        return None
    return user


def limits_for(user: User, config) -> Limits:
    idle_minutes = (
        config["SESSION_IDLE_MINUTES"]
        if user.is_agency_staff
        else config["SESSION_IDLE_MINUTES_CREDITOR"]
    )
    return Limits(int(idle_minutes * 60), int(config["SESSION_MAX_HOURS"] * 3600))


def expiry(
    now: float, authenticated_at: float | None, last_seen_at: float | None, limits: Limits
) -> str | None:
    """IDLE or ABSOLUTE when the session must end at `now`, else None (times in epoch seconds)."""
    if authenticated_at is not None and now - authenticated_at >= limits.absolute_seconds:
        return ABSOLUTE
    if last_seen_at is not None and now - last_seen_at >= limits.idle_seconds:
        return IDLE
    return None
