"""Every form of the app, fed junk by Hypothesis: no 500, and a rejected post changes no row.

The POST routes come from the app's URL map, their objects from the access matrix's `world`.
Each is posted by a persona its POLICY rule lets in (the debtor's routes after the link's check).
The fields posted are those of the forms the app itself renders with that route as action (read
from every page a persona can open), and the values are what breaks parsers: empty, huge,
unicode, control characters, numbers as text, negative or huge amounts, impossible dates, the
same field twice, files with hostile names. After each post the session is rolled back (as at
the end of a real request), so the comparison sees only what the request committed.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from app.extensions import db
from app.services import casework, debtor_access
from tests import factories
from tests.fuzz_helpers import FUZZ, Checker, junk
from tests.web.test_access_matrix import (  # noqa: F401 - `world` is a fixture used below
    AGENCY,
    AGENCY_ADMIN,
    API_TOKEN,
    CREDITOR,
    CREDITOR_ADMIN,
    DEBTOR_CHECKED,
    MANAGER,
    POLICY,
    PUBLIC,
    USER,
    _route_cases,
    _url,
    world,
)

PERSONA_FOR = {
    USER: "agent",
    CREDITOR: "creditor_user",
    CREDITOR_ADMIN: "creditor_admin",
    AGENCY: "agent",
    MANAGER: "supervisor",
    AGENCY_ADMIN: "admin",
    PUBLIC: "debtor",
    DEBTOR_CHECKED: "debtor",
}
# Not forms: the session ends; the webhook's body is JSON checked by signature (its own tests).
SKIPPED = {"auth.logout", "pay.stripe_webhook", "auth.login", "auth.forgot_password"}
GENERIC_FIELDS = ("amount", "date", "text", "reason", "name", "email", "note", "kind", "file")

NAMES = ["facture.pdf", "../../../etc/passwd", "a.docx", "é t é.csv", "x" * 300 + ".pdf", "", "."]
upload = st.builds(
    lambda content, name: (io.BytesIO(content), name),
    st.one_of(st.binary(max_size=300), st.just(b"%PDF-1.4\n%%EOF"), st.just(b"PK\x03\x04")),
    st.sampled_from(NAMES),
)


class _Fields(HTMLParser):
    """action -> {field name: is a file input} for every form of a page."""

    def __init__(self, here: str):
        super().__init__()
        self.here, self.forms, self._action = here, {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._action = (a.get("action") or self.here).split("?")[0]
            self.forms.setdefault(self._action, {})
        elif self._action is not None and tag in ("input", "select", "textarea"):
            name, kind = a.get("name"), (a.get("type") or "").lower()
            if name and name != "csrf_token" and kind not in ("submit", "button"):
                self.forms[self._action][name] = kind == "file"

    def handle_endtag(self, tag):
        if tag == "form":
            self._action = None


def _forms_seen(app, clients, objects) -> dict[str, dict[str, bool]]:
    seen: dict[str, dict[str, bool]] = {}
    for rule, method in _route_cases(app):
        if method != "GET" or rule.endpoint == "static":
            continue
        audience = POLICY[rule.endpoint].audience
        if audience == API_TOKEN:
            continue
        url = _url(rule, objects)
        response = clients[PERSONA_FOR[audience]].get(url)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        parser = _Fields(url)
        parser.feed(response.get_data(as_text=True))
        for action, fields in parser.forms.items():
            seen.setdefault(action, {}).update(fields)
    return seen


def _fuzz(client, url: str, strategy) -> None:
    checker = Checker()

    @FUZZ
    @given(data=strategy)
    def post(data):
        try:
            response = client.post(url, data=data, content_type="multipart/form-data")
        except Exception:
            db.session.rollback()  # a crash must not poison the next example's session
            raise
        checker.check(response, data)

    post()


def test_no_form_input_makes_a_server_error_or_a_half_saved_change(
    app,
    people,
    world,  # noqa: F811 - the access matrix's fixture
    today,
    monkeypatch,
):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "100000 per minute")
    # Most forms are used on cases past intake: accept the world's case so posts reach them.
    from app.models import Case

    case = db.session.scalar(sa.select(Case).where(Case.reference == world["reference"]))
    casework.accept_case(people.agent, case, today=today)
    link = debtor_access.find_link(world["token"])
    clients = {}
    for persona in set(PERSONA_FOR.values()):
        client = app.test_client()
        if persona == "debtor":
            with client.session_transaction() as session:
                session["debtor_links"] = [link.id]
        else:
            user = getattr(people, persona)
            response = client.post(
                "/connexion", data={"email": user.email, "password": factories.PASSWORD}
            )
            assert response.status_code == 302
        clients[persona] = client
    seen = _forms_seen(app, clients, world)

    failures, tried, generic = [], [], 0
    for rule, method in _route_cases(app):
        if method != "POST" or rule.endpoint in SKIPPED:
            continue
        audience = POLICY[rule.endpoint].audience
        if audience == API_TOKEN:
            continue  # tests/api/test_api_fuzz.py and test_schemathesis.py
        url = _url(rule, world)
        fields = seen.get(url) or dict.fromkeys(GENERIC_FIELDS, False) | {"file": True}
        strategy = st.fixed_dictionaries(
            {},
            optional={
                name: upload if is_file else st.one_of(junk, st.lists(junk, min_size=2, max_size=3))
                for name, is_file in fields.items()
            },
        )
        client = clients[PERSONA_FOR[audience]]
        try:
            _fuzz(client, url, strategy)
        except Exception as exc:  # noqa: BLE001 - every route tried, every failure reported
            failures.append(f"POST {url} ({rule.endpoint}): {type(exc).__name__}: {exc}"[:1500])
        tried.append(rule.endpoint)
        generic += url not in seen
    print(f"{len(tried)} routes fuzzed, {generic} with generic field names")
    assert len(tried) > 60
    assert not failures, "\n\n".join(failures)
