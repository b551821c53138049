from app.creditor import dashboard  # noqa: F401  (routes joining the creditor blueprint)
