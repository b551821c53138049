from flask import Blueprint

bp = Blueprint("creditor", __name__)


@bp.route("/")
def home():
    return "todo"


@bp.route("/dossiers")
def cases():
    return "todo"


@bp.route("/dossiers/nouveau")
def new_case():
    return "todo"
