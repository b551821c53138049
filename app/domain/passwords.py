"""The password policy, as one plain function: length, common/breached passwords, the user's own
email or name, and reuse of the last passwords (ASVS V2.1).

The common-password list is zxcvbn's (PyPI, offline): its 30,000 most frequent passwords from
public breaches. A password is refused when it is one of them, ignoring case, or one of them
followed only by digits or punctuation.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from app.domain.i18n import N_

MIN_LENGTH = 12
MAX_LENGTH = 128  # scrypt hashes anything, but a megabyte "password" is a denial of service
HISTORY_DEPTH = 5  # the current password and the 4 before it may not be chosen again

TOO_SHORT = N_("Le mot de passe doit contenir au moins 12 caractères.")
TOO_LONG = N_("Le mot de passe ne doit pas dépasser 128 caractères.")
TOO_COMMON = N_(
    "Ce mot de passe figure dans les listes de mots de passe courants ou divulgués : "
    "choisissez-en un autre."
)
CONTAINS_IDENTITY = N_("Le mot de passe ne doit contenir ni votre adresse e-mail ni votre nom.")
REUSED = N_("Vous avez déjà utilisé ce mot de passe récemment : choisissez-en un nouveau.")

_TRAILING = re.compile(r"[\d\W_]+$")


@functools.cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    lowered = password.lower().strip()
    common = _common_passwords()
    if lowered in common:
        return True
    # A common password with digits or punctuation added at the end ("motdepasse2026!",
    # "123456789012" = "1234567890" + "12").
    for end in range(len(lowered) - 1, 3, -1):
        if lowered[:end] in common and _TRAILING.fullmatch(lowered[end:]):
            return True
    return False


def _identity_parts(email: str | None, full_name: str | None) -> list[str]:
    parts: list[str] = []
    if email:
        email = email.strip().lower()
        parts.append(email)
        local = email.split("@", 1)[0]
        parts.append(local)
        parts.extend(re.split(r"[._+\-]+", local))
    if full_name:
        parts.extend(re.split(r"[\s\-'.]+", full_name.strip().lower()))
    # Short pieces ("de", "jo") would refuse half of all passwords.
    return [p for p in dict.fromkeys(parts) if len(p) >= 4]


def contains_identity(password: str, *, email: str | None, full_name: str | None) -> bool:
    lowered = password.lower()
    return any(part in lowered for part in _identity_parts(email, full_name))


def password_errors(
    password: str,
    *,
    email: str | None = None,
    full_name: str | None = None,
    previous_hashes: Iterable[str] = (),
    matches: Callable[[str, str], bool] | None = None,
) -> list[str]:
    """The policy's refusals for `password` (French source messages, empty when accepted).

    `previous_hashes` are the user's last password hashes, newest first; `matches(hash, password)`
    checks one (werkzeug's check_password_hash), so this stays free of any framework.
    """
    if len(password) < MIN_LENGTH:
        return [TOO_SHORT]
    if len(password) > MAX_LENGTH:
        return [TOO_LONG]
    errors = []
    if is_common(password):
        errors.append(TOO_COMMON)
    if contains_identity(password, email=email, full_name=full_name):
        errors.append(CONTAINS_IDENTITY)
    if matches is not None and any(
        matches(h, password) for h in list(previous_hashes)[:HISTORY_DEPTH]
    ):
        errors.append(REUSED)
    return errors
