"""The opt-out link of a reminder email: GET shows what it will do, POST does it. No sign-in, no JavaScript."""

from flask import Blueprint, render_template, request

from app.reminders import messages, optout

bp = Blueprint("reminders", __name__, url_prefix="/email")


@bp.get("/opt-out/<token>")
def opt_out(token: str):
    account, address = optout.read_token(token)
    done = optout.is_opted_out(account, address)
    return render_template("reminders/opt_out.html", address=address, done=done, token=token, lang=_lang())


@bp.post("/opt-out/<token>")
def confirm_opt_out(token: str):
    address = optout.opt_out(token)
    return render_template("reminders/opt_out.html", address=address, done=True, token=token, lang=_lang())


def _lang() -> str:
    return messages.language_of(request.args.get("lang"))
