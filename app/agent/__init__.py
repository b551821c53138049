# Route modules that join the agent blueprint defined in routes.py: importing the package
# registers them.
from app.agent import escalation, messages, operations, scenarios  # noqa: F401, E402
