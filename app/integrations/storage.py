"""Document storage: a local folder outside the web root, random names, content-checked types."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath

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
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"/\\|?*')
    return name.strip()[:200] or "document"


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
