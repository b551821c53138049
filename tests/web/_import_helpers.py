"""Shared steps of the import tests: upload a file of tests/data, check it with its guessed
mapping."""

from __future__ import annotations

import io
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def upload(client, name: str, data: bytes | None = None):
    payload = data if data is not None else (DATA / name).read_bytes()
    return client.post(
        "/creancier/import",
        data={"file": (io.BytesIO(payload), name)},
        content_type="multipart/form-data",
    )


def batch_id_of(response) -> int:
    match = re.search(r"/creancier/import/(\d+)/colonnes", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


def upload_and_check(client, name: str, data: bytes | None = None, mapping=None) -> int:
    """Upload, keep the proposed mapping (or the given one), check; returns the batch id."""
    batch_id = batch_id_of(upload(client, name, data))
    if mapping is None:
        from app.extensions import db
        from app.models import ImportBatch

        mapping = dict(db.session.get(ImportBatch, batch_id).mapping)
    response = client.post(f"/creancier/import/{batch_id}/colonnes", data=mapping)
    assert response.status_code == 302, response.get_data(as_text=True)
    return batch_id
