from app.auth import account  # noqa: F401, E402  (joins the blueprint's routes)
