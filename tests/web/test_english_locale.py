"""English as the second language: pages, amounts and dates follow the chosen locale, French stays
the default, and the English catalog is complete (a new untranslated string fails the suite)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from app.config import ROOT
from tests.factories import make_case

PO_FILE = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO_FILE = PO_FILE.with_suffix(".mo")
# The same keywords as `make translations-update` (babel's defaults cover _, gettext, ngettext).
EXTRACT = [
    "pybabel",
    "-q",
    "extract",
    "-F",
    "babel.cfg",
    "-k",
    "_l",
    "-k",
    "N_",
    "-k",
    "lazy_gettext",
]
UI_ATTRIBUTES = {"title", "placeholder", "aria-label", "data-confirm", "data-confirm-closing"}


def read_catalog(path=PO_FILE):
    with open(path, "rb") as file:
        return read_po(file)


@pytest.fixture(scope="module")
def catalog():
    return read_catalog()


@pytest.fixture
def english(client):
    """The test client, switched to English; fails clearly when the catalog was not compiled."""
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime:
        pytest.fail(
            f"{MO_FILE.relative_to(ROOT)} is missing or older than the .po file: "
            "run `make translations` (make test does it) before the tests."
        )
    client.post("/langue/en")
    return client


class _VisibleText(HTMLParser):
    """Text nodes and the attributes people read (placeholder, title...), outside scripts."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._in_script = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._in_script += 1
        self.texts.extend(value for name, value in attrs if name in UI_ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in_script -= 1

    def handle_data(self, data):
        if not self._in_script and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(response) -> list[str]:
    parser = _VisibleText()
    parser.feed(response.get_data(as_text=True))
    return parser.texts


def french_leftovers(response, catalog, data=()) -> list[str]:
    """Texts of the page that are a French msgid whose English translation differs; `data`
    lists texts that come from the database (a user called "Superviseur") rather than the UI."""
    french = {
        message.id
        for message in catalog
        if isinstance(message.id, str)
        and message.id
        and "%(" not in message.id
        and message.string != message.id
    }
    return [text for text in visible_texts(response) if text in french and text not in data]


def page_text(response) -> str:
    """The page as one line of text, with Babel's narrow/no-break spaces made plain."""
    text = " ".join(visible_texts(response))
    return text.replace("\u202f", " ").replace("\xa0", " ")


def assert_english_page(response, catalog, *expected, data=()):
    assert response.status_code == 200
    assert '<html lang="en">' in response.get_data(as_text=True)
    text = page_text(response)
    for snippet in expected:
        assert snippet in text, f"{snippet!r} missing from the English page"
    assert french_leftovers(response, catalog, data) == []


def staff_names(people) -> set[str]:
    staff = (people.admin, people.supervisor, people.agent, people.other_agent)
    return {user.full_name for user in staff}


# --- Creditor portal ---------------------------------------------------------------------------


def test_the_creditor_home_is_in_english_with_english_amounts(people, login, english, catalog):
    make_case(people.creditor_user)
    login(people.creditor_user)
    page = english.get("/creancier/")
    assert_english_page(
        page,
        catalog,
        "Home",
        "My cases",
        "New case",
        "Log out",
        "Outstanding to collect",
        "My cases by stage",
        "Intake",
        "Recent activity",
        "€1,200.00",
    )
    assert "1 200,00 €" not in page_text(page)


def test_the_creditor_case_list_is_in_english(people, login, english, catalog):
    make_case(people.creditor_user)
    login(people.creditor_user)
    page = english.get("/creancier/dossiers")
    assert_english_page(
        page,
        catalog,
        "My cases",
        "Reference",
        "Debtor",
        "Stage",
        "Amount claimed",
        "Opened",
        "Last updated",
        "Filter",
        "1 case",
        "Intake",
        "€1,200.00",
        "23 Nov 2026",
    )


def test_the_creditor_case_list_says_when_nothing_matches_in_english(
    people, login, english, catalog
):
    make_case(people.creditor_user)
    login(people.creditor_user)
    page = english.get("/creancier/dossiers?q=nothing-like-this")
    assert_english_page(page, catalog, "No cases match your search.", "See all my cases")


def test_the_new_case_form_is_in_english(people, login, english, catalog):
    login(people.creditor_user)
    page = english.get("/creancier/dossiers/nouveau")
    assert_english_page(
        page,
        catalog,
        "New case",
        "Debtor",
        "Business",
        "Individual",
        "Name or company name",
        "Postcode",
        "Unpaid invoices",
        "Invoice no.",
        "Issue date",
        "Due date",
        "Amount incl. VAT (€)",
        "Add an invoice",
        "Supporting documents",
        "Send the case to the agency",
        "Cancel",
    )


def test_the_new_case_form_explains_mistakes_in_english(people, login, english, catalog):
    login(people.creditor_user)
    page = english.post("/creancier/dossiers/nouveau", data={"debtor_mode": "new"})
    assert page.status_code == 422
    text = page_text(page)
    assert "The case was not submitted: correct the fields marked below." in text
    assert "Enter the invoice number." in text
    assert french_leftovers(page, catalog) == []


def test_the_creditor_case_page_is_in_english(people, login, english, catalog):
    case = make_case(people.creditor_user)
    login(people.creditor_user)
    page = english.get(f"/creancier/dossiers/{case.reference}")
    assert_english_page(
        page,
        catalog,
        case.reference,
        "Intake",
        "Invoices",
        "Balance due",
        "Documents",
        "Add documents",
        "History",
        "Case submitted: 1 invoice(s), 0 document(s).",
        "€1,200.00",
    )


# --- Agency back-office -----------------------------------------------------------------------


def test_the_agent_work_queue_is_in_english(people, login, english, catalog):
    make_case(people.creditor_user)
    login(people.agent)
    page = english.get("/agence/")
    assert_english_page(
        page,
        catalog,
        "Work queue",
        "Cases",
        "due today",
        "Reference",
        "Creditor",
        "Debtor",
        "Next action",
        "Unassigned",
        "Intake",
        "€1,200.00",
    )


def test_the_agent_case_page_is_in_english(people, login, english, catalog):
    case = make_case(people.creditor_user)
    login(people.admin)
    page = english.get(f"/agence/dossiers/{case.reference}")
    assert_english_page(
        page,
        catalog,
        "← Work queue",
        "Debtor",
        "Creditor",
        "SIREN:",
        "Opened",
        "Amount claimed",
        "Case intake",
        "Accept the case",
        "Return to creditor",
        "Assignment",
        "Add a note",
        "Log a call",
        "Hold",
        "€1,200.00",
        data=staff_names(people),
    )
    assert "Return this case to the creditor?" in page_text(page)


def test_the_agent_case_timeline_reads_in_english(people, login, english, catalog):
    case = make_case(people.creditor_user)
    login(people.admin)
    english.post(f"/agence/dossiers/{case.reference}/accepter")
    page = english.get(f"/agence/dossiers/{case.reference}")
    assert_english_page(page, catalog, "Stage: Intake → Amicable", data=staff_names(people))


# --- Outside the portals ----------------------------------------------------------------------


def test_error_pages_and_the_login_prompt_are_in_english(client, english, catalog):
    missing = english.get("/creancier/dossiers/REC-0000-000000")
    assert missing.status_code == 302  # Not logged in: off to the login page first.
    login_page = english.get(missing.headers["Location"])
    assert "Please log in to access this page." in page_text(login_page)
    assert french_leftovers(login_page, catalog) == []


def test_a_missing_page_says_so_in_english(people, login, english, catalog):
    login(people.creditor_user)
    page = english.get("/creancier/dossiers/REC-0000-000000")
    assert page.status_code == 404
    assert "Page not found" in page_text(page)
    assert "Back to home" in page_text(page)


# --- French stays the default -----------------------------------------------------------------


def test_french_is_shown_to_a_browser_without_a_preference(people, login, client):
    make_case(people.creditor_user)
    login(people.creditor_user)
    page = client.get("/creancier/")
    text = page_text(page)
    assert '<html lang="fr">' in page.get_data(as_text=True)
    assert "Nouveau dossier" in text
    assert "Encours à recouvrer" in text
    assert "1 200,00 €" in text


def test_french_is_shown_to_a_browser_that_asks_for_french(client):
    page = client.get("/connexion", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    text = page_text(page)
    assert '<html lang="fr">' in page.get_data(as_text=True)
    assert "Se connecter" in text
    assert "Mot de passe oublié ?" in text


# --- The catalog ------------------------------------------------------------------------------


def test_the_english_catalog_has_no_untranslated_or_fuzzy_entry(catalog):
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (not message.string or (isinstance(message.string, tuple) and not all(message.string)))
    ]
    assert fuzzy == []
    assert untranslated == []


def test_english_translations_keep_every_placeholder(catalog):
    def placeholders(text: str) -> list[str]:
        return sorted(re.findall(r"%\(\w+\)[sd]", text))

    broken = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if any(placeholders(ids[-1]) != placeholders(string) for string in strings):
            broken.append(message.id)
    assert broken == []


def test_every_string_marked_in_the_code_is_in_the_english_catalog(catalog, tmp_path, monkeypatch):
    template = tmp_path / "messages.pot"
    monkeypatch.chdir(ROOT)
    CommandLineInterface().run([*EXTRACT, "-o", str(template), "."])
    extracted = {message.id for message in read_catalog(template) if message.id}
    in_catalog = {message.id for message in catalog if message.id}
    missing = sorted(map(str, extracted - in_catalog))
    assert missing == [], (
        "strings not in the English catalog: run `make translations-update`, translate them in "
        f"{PO_FILE.relative_to(ROOT)}, then `make translations`"
    )
