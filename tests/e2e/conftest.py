"""Browser tests: the real app served on loopback (`live_server`, in tests/conftest.py), driven
by Debian's Chromium via Playwright."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    # A conftest's hook receives every item of the session, not only this folder's: without
    # the path check, a machine with no Chromium would skip the whole suite.
    if shutil.which(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-quic",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def screenshots(output_dir, request):
    """Save a full-page screenshot per step under test-output/e2e/<test name>/."""
    folder = Path(output_dir) / "e2e" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def shoot(page, name: str) -> Path:
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A French user's browser: the app picks the locale from Accept-Language.
    return {**browser_context_args, "locale": "fr-FR", "viewport": {"width": 1280, "height": 900}}
