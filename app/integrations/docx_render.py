"""DOCX letters with docxtpl: strict (a missing variable is an error, never a blank) and escaped
("Smith & <Sons>" prints as written), plus the plain text of a document for the legal check."""

from __future__ import annotations

import io
from pathlib import Path

import jinja2
from docx import Document as DocxDocument
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

LOGO_HEIGHT_MM = 18


class TemplateProblem(ValueError):
    """A template that cannot render: its syntax, or a variable the context does not have."""


def _environment() -> jinja2.Environment:
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def render(template: Path | bytes, context: dict) -> bytes:
    return render_with_text(template, context)[0]


def render_with_text(template: Path | bytes, context: dict) -> tuple[bytes, str]:
    """The rendered file and the text of its body, read from the document still in memory
    (parsing the saved file again would cost as much as the render)."""
    source = io.BytesIO(template) if isinstance(template, bytes) else template
    document = DocxTemplate(source)
    context = _with_images(document, context)
    try:
        document.render(context, jinja_env=_environment(), autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(f"Erreur de syntaxe ligne {exc.lineno} : {exc.message}") from exc
    except jinja2.UndefinedError as exc:
        raise TemplateProblem(f"Variable inconnue : {exc.message}") from exc
    text = _body_text(document.docx)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), text


def _with_images(document: DocxTemplate, context: dict) -> dict:
    """`agency.logo_path` (a file, or None) becomes `agency.logo`, an image docxtpl can place
    (an image belongs to one document, so it is made per render); no logo prints nothing."""
    agency = context.get("agency")
    if not isinstance(agency, dict) or "logo_path" not in agency:
        return context
    path = agency["logo_path"]
    logo = InlineImage(document, str(path), height=Mm(LOGO_HEIGHT_MM)) if path else ""
    return {**context, "agency": {**agency, "logo": logo}}


def _body_text(document) -> str:
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(line for line in lines if line.strip())


def text_of(docx: bytes) -> str:
    """Headers, paragraphs and table cells, in reading order, one per line."""
    document = DocxDocument(io.BytesIO(docx))
    lines = []
    for section in document.sections:
        lines += [p.text for p in section.header.paragraphs]
    for paragraph in document.paragraphs:
        lines.append(paragraph.text)
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(line for line in lines if line.strip())
