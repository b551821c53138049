"""The API token page and the API docs page read in English for an English user."""

from __future__ import annotations

from app.services import api_tokens
from tests.web.test_english_locale import (  # noqa: F401  (fixtures)
    assert_english_page,
    catalog,
    english,
)


def test_the_api_token_page_is_in_english(people, login, english, catalog):  # noqa: F811
    api_tokens.create_token(people.creditor_admin, "Sage 100")
    login(people.creditor_admin)
    page = english.get("/creancier/api")
    assert_english_page(
        page,
        catalog,
        "API access tokens",
        "New token",
        "Last used",
        "never",
        "active",
        data={"Sage 100", people.creditor_admin.full_name},
    )
    created = english.post("/creancier/api", data={"name": "ERP"})
    assert "Copy it now: it will never be shown again." in created.get_data(as_text=True)


def test_the_api_docs_page_is_in_english(english, catalog):  # noqa: F811
    page = english.get("/api/v1/docs")
    assert_english_page(page, catalog, "REST API v1", "Authentication", "Parameters", "Responses")
