from flask import Blueprint

bp = Blueprint("agent", __name__)


@bp.route("/")
def queue():
    return "todo"


@bp.route("/dossiers")
def cases():
    return "todo"
