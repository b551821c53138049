# Route modules that join the agent blueprint defined in routes.py: importing the package
# registers them.
from app.agent import (  # noqa: F401, E402
    audit_log,
    court_money,
    dashboard,
    escalation,
    insolvency,
    judicial,
    messages,
    operations,
    personal_data,
    scenarios,
    team,
)
