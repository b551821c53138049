# Route modules that join the agent blueprint defined in routes.py: importing the package
# registers them.
from app.agent import (  # noqa: F401, E402
    dashboard,
    escalation,
    insolvency,
    judicial,
    messages,
    operations,
    scenarios,
    team,
)
