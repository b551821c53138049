"""DOCX to PDF with LibreOffice, when it is installed (`soffice`); without it letters stay DOCX.

Each conversion gets its own LibreOffice profile folder: two `soffice` sharing one silently lose
files (TESTING-NOTES).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from flask import current_app

TIMEOUT_SECONDS = 120


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def enabled() -> bool:
    """LETTER_PDF: "auto" (default: on when LibreOffice is installed), or a boolean."""
    setting = current_app.config.get("LETTER_PDF", "auto")
    if setting == "auto":
        return soffice() is not None
    return bool(setting) and soffice() is not None


def to_pdf(docx: bytes) -> bytes:
    binary = soffice()
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="recouvra-pdf-") as folder:
        work = Path(folder)
        source = work / "letter.docx"
        source.write_bytes(docx)
        subprocess.run(  # noqa: S603 - fixed arguments, our own file
            [
                binary,
                f"-env:UserInstallation=file://{work / 'profile'}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
        )
        return (work / "letter.pdf").read_bytes()
