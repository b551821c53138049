"""Run a task inside a Flask app context, creating one only when a worker has none."""

from __future__ import annotations

import functools

from flask import has_app_context

_worker_app = None


def with_app_context(task):
    @functools.wraps(task)
    def wrapper(*args, **kwargs):
        global _worker_app
        if has_app_context():
            return task(*args, **kwargs)
        if _worker_app is None:
            from app import create_app

            _worker_app = create_app()
        with _worker_app.app_context():
            return task(*args, **kwargs)

    return wrapper
