"""Who a user is. Agency roles work cases; creditor roles see their own organisation only."""

from app.domain.i18n import N_

AGENCY_ADMIN = "agency_admin"
SUPERVISOR = "supervisor"
AGENT = "agent"
CREDITOR_ADMIN = "creditor_admin"
CREDITOR_USER = "creditor_user"

ALL_ROLES = (AGENCY_ADMIN, SUPERVISOR, AGENT, CREDITOR_ADMIN, CREDITOR_USER)
AGENCY_ROLES = frozenset({AGENCY_ADMIN, SUPERVISOR, AGENT})
CREDITOR_ROLES = frozenset({CREDITOR_ADMIN, CREDITOR_USER})
# Roles that may assign cases and approve judicial steps.
MANAGER_ROLES = frozenset({AGENCY_ADMIN, SUPERVISOR})

ROLE_LABELS = {
    AGENCY_ADMIN: N_("Administrateur agence"),
    SUPERVISOR: N_("Superviseur"),
    AGENT: N_("Agent"),
    CREDITOR_ADMIN: N_("Administrateur créancier"),
    CREDITOR_USER: N_("Utilisateur créancier"),
}


def is_agency(role: str) -> bool:
    return role in AGENCY_ROLES


def is_creditor(role: str) -> bool:
    return role in CREDITOR_ROLES
