"""Marks French source strings for extraction (pybabel -k N_) without importing Flask-Babel:
domain code stays pure, and the UI translates the label when it shows it."""


def N_(text: str) -> str:  # noqa: N802 - the conventional gettext marker name
    return text
