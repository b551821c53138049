"""Timeline: what the creditor may see. Documents: checked like the portal's uploads."""

from __future__ import annotations

import io

from app.services import casework
from tests import factories


def test_the_timeline_leaves_out_the_agencys_internal_entries(api, amicable_case, people):
    casework.add_note(people.agent, amicable_case, "Débiteur agressif au téléphone")
    casework.add_note(people.agent, amicable_case, "Relance prévue", visible_to_creditor=True)
    response = api.get(f"/cases/{amicable_case.reference}/timeline")
    assert response.status_code == 200
    items = response.get_json()["items"]
    texts = [item["text"] for item in items]
    assert "Relance prévue" in texts
    assert "Débiteur agressif au téléphone" not in texts
    assert items[-1]["kind"] == "submitted"  # newest first
    assert items[0]["occurred_at"].endswith("Z")


def test_it_attaches_documents_of_the_kinds_given(api, amicable_case):
    response = api.client.post(
        f"/api/v1/cases/{amicable_case.reference}/documents",
        data={
            "files": [
                (io.BytesIO(factories.minimal_pdf()), "facture.pdf"),
                (io.BytesIO(factories.minimal_png()), "photo.png"),
            ],
            "kind": ["invoice", "correspondence"],
        },
        headers=api.headers(),
    )
    assert response.status_code == 201, response.get_json()
    items = response.get_json()["items"]
    assert [(d["name"], d["kind"]) for d in items] == [
        ("facture.pdf", "invoice"),
        ("photo.png", "correspondence"),
    ]
    assert items[0]["content_type"] == "application/pdf"
    assert len(amicable_case.documents) == 2


def test_a_file_whose_content_does_not_match_its_name_is_refused(api, amicable_case):
    response = api.client.post(
        f"/api/v1/cases/{amicable_case.reference}/documents",
        data={"files": [(io.BytesIO(b"MZ not a pdf"), "facture.pdf")]},
        headers=api.headers(),
    )
    assert response.status_code == 422
    (error,) = response.get_json()["errors"]
    assert error["field"] == "uploads.0"
    assert "facture.pdf" in error["message"]
    assert amicable_case.documents == []


def test_no_file_or_no_multipart_is_refused(api, amicable_case):
    url = f"/api/v1/cases/{amicable_case.reference}/documents"
    empty = api.client.post(
        url, data={"kind": "invoice"}, content_type="multipart/form-data", headers=api.headers()
    )
    assert empty.status_code == 422
    assert empty.get_json()["errors"][0]["field"] == "uploads"
    as_json = api.client.post(url, json={"files": []}, headers=api.headers())
    assert as_json.status_code == 415
