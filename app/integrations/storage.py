"""Document storage: a local folder outside the web root, random names, content-checked types."""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath

import filetype
from flask import current_app

# What we accept, by extension, and the content type the bytes must show.
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ACCEPT_ATTRIBUTE = ",".join(ALLOWED_TYPES)
# DOCX and XLSX are ZIP archives: what they hold is checked too (see archive_problem).
ARCHIVE_EXTENSIONS = {".docx", ".xlsx"}
MAX_ARCHIVE_ENTRIES = 5_000
MAX_ARCHIVE_UNCOMPRESSED = 200 * 1024 * 1024
MAX_NAME_LENGTH = 200


class UploadRejected(ValueError):
    pass


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str
    data: bytes


def safe_display_name(filename: str) -> str:
    """Keep the user's name for display only: no path, no control characters, bounded length."""
    name = PurePath(filename.replace("\\", "/")).name
    # isprintable() is False for control characters (NUL...) and for format characters such as
    # the right-to-left override, which would make "facture\u202efdp.exe" read as "...exe.pdf".
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"/\\|?*;')
    name = name.strip().lstrip(".")
    if len(name) > MAX_NAME_LENGTH:
        # Shorten the stem, keep the extension: it is the type the content is checked against.
        suffix = PurePath(name).suffix[:16]
        name = name[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
    return name or "document"


def archive_problem(data: bytes) -> str | None:
    """Why a ZIP-based file (DOCX, XLSX) is refused, or None.

    We never extract archives to disk, but a library or a person may later: no entry may name
    a path outside the archive (absolute, drive letter, "..": "zip slip"), and a small file
    that inflates to gigabytes ("zip bomb") is refused before anything reads it.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "archive illisible ou corrompue"
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        return "l’archive contient trop de fichiers"
    total = 0
    for entry in entries:
        raw = entry.filename.replace("\\", "/")
        if raw.startswith("/") or ":" in raw or ".." in PurePosixPath(raw).parts:
            return "l’archive contient un chemin dangereux"
        if entry.flag_bits & 0x1:
            return "l’archive est chiffrée"
        total += entry.file_size
    if total > MAX_ARCHIVE_UNCOMPRESSED:
        return "l’archive décompressée serait trop volumineuse"
    return None


def check_upload(filename: str, data: bytes, max_bytes: int) -> CheckedUpload:
    """Refuse empty, oversized, unknown or mislabelled files; the content decides, not the name."""
    name = safe_display_name(filename or "")
    if not data:
        raise UploadRejected(f"« {name} » est vide.")
    if len(data) > max_bytes:
        raise UploadRejected(
            f"« {name} » dépasse la taille maximale de {max_bytes // (1024 * 1024)} Mo."
        )
    extension = PurePath(name).suffix.lower()
    expected = ALLOWED_TYPES.get(extension)
    if expected is None:
        raise UploadRejected(
            f"« {name} » : type de fichier non accepté (PDF, PNG, JPEG, DOCX ou XLSX)."
        )
    detected = filetype.guess_mime(data)
    if detected != expected:
        raise UploadRejected(f"« {name} » ne correspond pas à son extension {extension}.")
    if extension in ARCHIVE_EXTENSIONS:
        problem = archive_problem(data)
        if problem:
            raise UploadRejected(f"« {name} » est refusé : {problem}.")
    return CheckedUpload(
        original_name=name,
        content_type=expected,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )


def _root() -> Path:
    root = Path(current_app.config["UPLOAD_DIR"]).resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root


def _path_for(key: str) -> Path:
    if not key.isalnum():
        raise ValueError("invalid storage key")
    return _root() / key[:2] / key


def save(data: bytes) -> str:
    """Store bytes under a random key and return the key."""
    key = secrets.token_hex(16)
    path = _path_for(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return key


def read(key: str) -> bytes:
    return _path_for(key).read_bytes()


def delete(key: str) -> None:
    _path_for(key).unlink(missing_ok=True)
