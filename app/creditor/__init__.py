from app.creditor import imports  # noqa: F401, E402 - routes joining the creditor blueprint
