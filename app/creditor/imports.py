"""Creditor portal: bulk import of invoices from a CSV, XLSX or FEC file (upload, column
mapping, validation report, import as a job with its progress), and the template files."""

from __future__ import annotations

import csv
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField

from app import web
from app.creditor.routes import bp
from app.domain import import_rows
from app.models.integration import IMPORT_STATUS_LABELS
from app.services import imports
from app.services.errors import Forbidden, ValidationFailed
from app.web import creditor_required, or_404

# One example row of the template file, in the template's column order (FIELDS).
TEMPLATE_EXAMPLE = (
    "Menuiserie Dubois SARL", "entreprise", "775670417", "compta@dubois.example",
    "03 80 00 00 00", "5 rue du Bois", "", "21000", "Dijon", "FR", "MD-2026-001",
    "10/02/2026", "12/03/2026", "1 234,56", "0,00", "CLI-0042",
)  # fmt: skip


class ImportUploadForm(FlaskForm):
    file = FileField(_l("Fichier"), render_kw={"accept": ".csv,.txt,.xlsx"})


class ConfirmForm(FlaskForm):
    pass


def _mapping_form(columns: list[str], mapping: dict[str, str]):
    """A select per field of ours, listing the file's columns; pre-filled from `mapping`."""

    class MappingForm(FlaskForm):
        pass

    choices = [SelectChoice("", _("— Aucune colonne —"))]
    choices += [SelectChoice(c, c) for c in columns if c]
    for key, label in import_rows.FIELDS:
        setattr(MappingForm, key, SelectField(_(label), choices=choices, default=""))
    form = MappingForm(data=mapping) if request.method == "GET" else MappingForm()
    return form


def _batch(batch_id: int):
    return or_404(imports.get_batch, current_user, batch_id)


@bp.route("/import", methods=["GET", "POST"])
@creditor_required
def import_upload():
    form = ImportUploadForm()
    if request.method == "POST" and form.validate():
        file = form.file.data
        if not file or not file.filename:
            form.file.errors = [_("Choisissez un fichier CSV, XLSX ou FEC.")]
        else:
            try:
                batch = imports.upload(current_user, file.filename, file.read())
            except ValidationFailed as exc:
                form.file.errors = [_(m) for m in exc.errors.get("file", [])]
            else:
                return redirect(url_for("creditor.import_mapping", batch_id=batch.id))
        return _upload_page(form), 422
    return _upload_page(form)


def _upload_page(form):
    return render_template(
        "creditor/import_upload.html",
        form=form,
        batches=imports.recent_batches(current_user),
        status_labels=IMPORT_STATUS_LABELS,
    )


@bp.route("/import/<int:batch_id>/colonnes", methods=["GET", "POST"])
@creditor_required
def import_mapping(batch_id: int):
    batch = _batch(batch_id)
    if batch.status in ("importing", "done"):
        return redirect(url_for("creditor.import_progress", batch_id=batch.id))
    table = imports.table_of(batch)
    form = _mapping_form(table.columns, batch.mapping or {})
    if request.method == "POST" and form.validate():
        mapping = {
            key: getattr(form, key).data
            for key in import_rows.FIELD_KEYS
            if getattr(form, key).data
        }
        try:
            imports.check(current_user, batch, mapping)
        except ValidationFailed as exc:
            for key, messages in exc.errors.items():
                getattr(form, key).errors = [_(m) for m in messages]
        except Forbidden as exc:
            flash(_(str(exc)), "warning")
            return redirect(url_for("creditor.import_progress", batch_id=batch.id))
        else:
            return redirect(url_for("creditor.import_report", batch_id=batch.id))
        status = 422
    else:
        status = 200
    preview = table.records({c: c for c in table.columns})[:3]
    return render_template(
        "creditor/import_mapping.html",
        batch=batch,
        form=form,
        table=table,
        preview=preview,
        field_keys=import_rows.FIELD_KEYS,
        required=import_rows.REQUIRED_FIELDS,
    ), status


@bp.route("/import/<int:batch_id>")
@creditor_required
def import_report(batch_id: int):
    batch = _batch(batch_id)
    if batch.status == "uploaded":
        return redirect(url_for("creditor.import_mapping", batch_id=batch.id))
    labels = dict(import_rows.FIELDS)
    return render_template(
        "creditor/import_report.html", batch=batch, labels=labels, form=ConfirmForm()
    )


@bp.route("/import/<int:batch_id>/lancer", methods=["POST"])
@creditor_required
def import_start(batch_id: int):
    batch = _batch(batch_id)
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    try:
        result = imports.start(current_user, batch, today=web.today())
    except Forbidden as exc:
        flash(_(str(exc)), "warning")
    else:
        if result is None:
            flash(
                _("File d'attente indisponible : l'import est enregistré et partira à son retour."),
                "warning",
            )
    return redirect(url_for("creditor.import_progress", batch_id=batch.id))


def _progress_state(batch) -> dict:
    """Done/total from the job's meta while it runs (the import is one transaction, so the
    database shows nothing until it ends)."""
    state = {"done": 0, "total": batch.report.get("cases", 0)}
    if batch.status == "importing" and batch.job_id:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        from app.jobs import REDIS_ERRORS, redis_connection

        connection = redis_connection()
        if connection is not None:
            try:
                meta = Job.fetch(batch.job_id, connection=connection).get_meta()
                state.update({k: meta[k] for k in ("done", "total") if k in meta})
            except (NoSuchJobError, *REDIS_ERRORS):
                pass
    if batch.status == "done":
        state["done"] = state["total"] = batch.imported_cases
    return state


@bp.route("/import/<int:batch_id>/avancement")
@creditor_required
def import_progress(batch_id: int):
    batch = _batch(batch_id)
    template = "creditor/_import_progress.html" if request.headers.get("HX-Request") else None
    return render_template(
        template or "creditor/import_progress.html",
        batch=batch,
        state=_progress_state(batch),
        status_labels=IMPORT_STATUS_LABELS,
    )


@bp.route("/import/modele.<any(csv, xlsx):extension>")
@creditor_required
def import_template(extension: str):
    # French headers whatever the user's language: the file format does not change with it.
    headers = [label for _key, label in import_rows.FIELDS]
    if extension == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(headers)
        writer.writerow(TEMPLATE_EXAMPLE)
        # A BOM, so that Excel opens the accents right.
        return web.csv_download("\ufeff" + out.getvalue(), "modele-import-factures.csv")
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Factures"
    sheet.append(headers)
    sheet.append(list(TEMPLATE_EXAMPLE))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    response = send_file(
        buffer,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="modele-import-factures.xlsx",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
