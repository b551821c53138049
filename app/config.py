"""Settings from the environment. Defaults give a working embedded set-up (SQLite, inline jobs)."""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", ROOT / "instance"))


class ConfigError(RuntimeError):
    """Raised when the app cannot start safely with the given environment."""


def _dev_secret_key() -> str:
    # A newcomer gets a stable key without configuring anything; production must set its own.
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _normalise_db_url(url: str) -> str:
    """postgres:// and postgresql:// (as hosting services give them) use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_config(overrides: dict | None = None) -> dict:
    env = os.environ
    production = env.get("RECOUVRA_ENV", "development") == "production"
    if production and env.get("STRIPE_SECRET_KEY") and not env.get("STRIPE_WEBHOOK_SECRET"):
        # Card payments are recorded only from verified webhooks: no secret, no start.
        raise ConfigError("STRIPE_WEBHOOK_SECRET must be set when Stripe is configured")
    secret_key = env.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError("SECRET_KEY must be set when RECOUVRA_ENV=production")
        secret_key = _dev_secret_key()

    database_url = _normalise_db_url(
        env.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'recouvra.sqlite'}"
    )
    replica_url = env.get("DATABASE_REPLICA_URL") or None

    redis_url = env.get("REDIS_URL") or None
    config = {
        "RECOUVRA_ENV": "production" if production else "development",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # A read replica (same schema, streaming replication) for the creditor dashboards.
        "SQLALCHEMY_BINDS": {"replica": _normalise_db_url(replica_url)} if replica_url else {},
        "REDIS_URL": redis_url,
        # The daily cadence runs once a day from this hour (Europe/Paris); the scheduler checks
        # every 15 minutes, so a scheduler down at that hour catches up when it is back.
        "CADENCE_HOUR": int(env.get("CADENCE_HOUR", "6")),
        # The contact-pressure cap: at most this many contacts with one debtor (all channels
        # and creditors) in any window of this many days.
        "CADENCE_CONTACT_CAP": int(env.get("CADENCE_CONTACT_CAP", "3")),
        "CADENCE_CAP_WINDOW_DAYS": int(env.get("CADENCE_CAP_WINDOW_DAYS", "7")),
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads"),
        # Templates an agency admin uploaded; they replace those shipped in letters/.
        "LETTER_TEMPLATES_DIR": env.get("LETTER_TEMPLATES_DIR") or str(INSTANCE_DIR / "letters"),
        # The letterhead's logo (PNG or JPEG); unset, letters carry the agency's name only.
        "AGENCY_LOGO": env.get("AGENCY_LOGO"),
        # PDF copies of letters: "auto" = when LibreOffice (soffice) is installed; "0" = never.
        "LETTER_PDF": "auto"
        if env.get("LETTER_PDF", "auto") == "auto"
        else env.get("LETTER_PDF") == "1",
        "MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
        # Several files of 10 MB may arrive in one form post.
        "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Recouvra <no-reply@recouvra.local>"),
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_PUBLISHABLE_KEY": env.get("STRIPE_PUBLISHABLE_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE") or None,
        # Where the page loads Stripe.js from (localstripe serves a fake one in tests).
        "STRIPE_JS_URL": env.get("STRIPE_JS_URL") or "https://js.stripe.com/v3/",
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down must not take the login page with it: count in memory until it is back.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Requests per API token (Flask-Limiter syntax).
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "120 per minute"),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "app" / "translations"),
        "LANGUAGES": ["fr", "en"],
        # Lax, not Strict: a debtor or a user following a link from an email must arrive
        # signed in; cross-site POSTs never carry the cookie (and CSRF tokens guard forms).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # __Host-: the browser keeps it only if Secure, for this host alone, on path /.
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PASSWORD_RESET_MAX_AGE": 3600,
        # Sessions (app/services/sessions.py): ended after this long without a request (agency
        # staff; creditor users), and this long after the login whatever the activity.
        "SESSION_IDLE_MINUTES": float(env.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_IDLE_MINUTES_CREDITOR": float(env.get("SESSION_IDLE_MINUTES_CREDITOR", "60")),
        "SESSION_MAX_HOURS": float(env.get("SESSION_MAX_HOURS", "12")),
        # "Rester connecté" keeps the session cookie after the browser closes, no longer.
        "PERMANENT_SESSION_LIFETIME": int(float(env.get("SESSION_MAX_HOURS", "12")) * 3600),
        # Second-factor codes tried per minute, per address and per account being logged in.
        "TOTP_RATE_LIMIT": env.get("TOTP_RATE_LIMIT", "5 per minute"),
        # How many reverse proxies (load balancers) stand in front of the app: 0 trusts no
        # X-Forwarded-* header, since a client could forge them.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "CASES_PER_PAGE": 25,
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "TESTING": False,
    }
    if overrides:
        config.update(overrides)
    return config
