"""BODACC files that are not what they claim (found by fuzzing the import form): refused with
the file's error, nothing opened, never a crash."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import InsolvencyProceeding
from app.services import insolvency
from app.services.errors import ValidationFailed

RECORD = {"familleavis": "collective", "registre": ["732829320"]}


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,  # past the JSON parser's depth
        json.dumps([{**RECORD, "jugement": "[" * 100_000 + "]" * 100_000}]).encode(),
        json.dumps([{**RECORD, "jugement": "[1, 2]"}]).encode(),  # JSON, but not an object
        json.dumps([{**RECORD, "jugement": 12}]).encode(),
        json.dumps([{**RECORD, "jugement": ["nature"]}]).encode(),
    ],
    ids=["deep file", "deep jugement", "jugement a list", "jugement a number", "jugement list"],
)
def test_an_unreadable_bodacc_file_is_refused_and_opens_nothing(people, content):
    with pytest.raises(ValidationFailed) as refused:
        insolvency.import_bodacc(people.supervisor, content, "bodacc.json")
    assert "file" in refused.value.errors
    assert db.session.scalar(sa.select(sa.func.count(InsolvencyProceeding.id))) == 0
