"""Demo data for `make run`. Filled in by the demo-data work."""

DEMO_PASSWORD = "recouvra-demo-2026"  # noqa: S105 - printed to every newcomer on purpose


def seed_demo() -> bool:
    return False
