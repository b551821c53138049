"""Small helpers the web tests share."""

from __future__ import annotations

import html


def page_text(response) -> str:
    """A response's HTML as a reader sees the text: entities decoded, non-breaking spaces (French
    number and currency formatting) as plain spaces."""
    page = html.unescape(response.get_data(as_text=True))
    return page.replace("\u202f", " ").replace("\xa0", " ")
