from app.creditor import api_tokens  # noqa: F401  (portal page: API tokens)
