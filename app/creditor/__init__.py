# Route modules that join the creditor blueprint defined in routes.py: importing the package
# registers them.
from app.creditor import api_tokens, dashboard, imports, messages  # noqa: F401, E402
