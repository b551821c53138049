"""Browser tests: the real app served on loopback, driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app

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


STRIPE_WEBHOOK_SECRET = "whsec_e2e_localstripe"


@pytest.fixture(scope="session")
def local_stripe():
    from tests.stripe_fake import LocalStripe

    server = LocalStripe()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(app, local_stripe):
    """The app as a user gets it (CSRF on, jobs inline), on a free loopback port."""
    served = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "e2e-secret-key",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "LETTER_TEMPLATES_DIR": app.config["LETTER_TEMPLATES_DIR"],
            "MAIL_SERVER": app.config["MAIL_SERVER"],
            "MAIL_PORT": app.config["MAIL_PORT"],
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            # Card payments against localstripe on loopback; its webhooks come back to us.
            "STRIPE_SECRET_KEY": "sk_test_e2e",
            "STRIPE_PUBLISHABLE_KEY": "pk_test_e2e",
            "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
            "STRIPE_API_BASE": local_stripe.base,
            "STRIPE_JS_URL": f"{local_stripe.base}/js.stripe.com/v3/",
            "LETTER_PDF": False,
        }
    )
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    local_stripe.register_webhook(f"{base}/stripe/webhook", STRIPE_WEBHOOK_SECRET)
    yield base
    server.shutdown()
    thread.join(timeout=5)


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
