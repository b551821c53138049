# Route modules that join the agent blueprint defined in routes.py.
from app.agent import escalation, scenarios  # noqa: F401, E402
