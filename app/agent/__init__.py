# Routes in other modules register on the same blueprint when the package is imported.
from app.agent import operations  # noqa: E402, F401
