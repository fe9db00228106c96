"""The validation notice's words, in English and in Spanish, after the CFPB's Model Form B-1 (12 CFR 1006,
appendix B) and its Spanish version. Each language is complete: a notice in Spanish has no English part.

Placeholders are ``str.format`` fields filled by :mod:`app.compliance.notice_pdf` (``{end}`` is the end of the
validation period, written as a date).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CFPB_URL = "www.cfpb.gov/debt-collection"
LANGUAGES = ("en", "es")
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


@dataclass(frozen=True)
class NoticeFacts:
    """Everything a notice prints, gathered by the service (plain values: the PDF never reads the database)."""

    language: str
    sent_on: date
    period_ends: date
    agency_name: str
    agency_address: list[str]
    consumer_name: str
    consumer_address: list[str]
    account_number: str
    current_creditor: str
    creditor_on_date: str
    original_creditor: str | None
    reference: str
    itemization_date: date
    amount_on_date: Decimal
    interest: Decimal
    fees: Decimal
    payments_credits: Decimal
    total_now: Decimal


EN = {
    "title": "Validation notice",
    "intro": (
        "{agency} is a debt collector. We are trying to collect a debt that you owe to {creditor}. "
        "We will use any information you give us to help collect the debt."
    ),
    "our_information": "Our information shows:",
    "account": "You had an account from {creditor_on_date} with account number {account_number}.",
    "original_creditor": "The original creditor of this debt is {original_creditor}.",
    "as_of": "As of {itemization_date} ({reference}), you owed:",
    "between": "Between {itemization_date} and today:",
    "interest": "You were charged this amount in interest:",
    "fees": "You were charged this amount in fees:",
    "payments": "You paid or were credited this amount toward the debt:",
    "total": "Total amount of the debt now:",
    "dispute_heading": "How can you dispute the debt?",
    "dispute_call": (
        "Call or write to us by {end}, to dispute all or part of the debt. If you do not, we will assume "
        "that our information is correct."
    ),
    "dispute_write": (
        "If you write to us by {end}, we must stop collection on any amount you dispute until we send you "
        "information that shows you owe the debt. You may use the form below or write to us without the form. "
        "You may also include supporting documents."
    ),
    "else_heading": "What else can you do?",
    "else_creditor": (
        "Write to ask for the name and address of the original creditor, if different from the current "
        "creditor. If you write by {end}, we must stop collection until we send you that information. You may "
        "use the form below or write to us without the form."
    ),
    "else_cfpb": (
        "Go to {cfpb} to learn more about your rights under federal law. For instance, you have the right to "
        "stop or limit how we contact you."
    ),
    "else_contact": "Contact us about your payment options.",
    "else_spanish": "Póngase en contacto con nosotros para solicitar una copia de este formulario en español.",
    "tear_off": "Detach and mail this form to:",
    "respond_heading": "How do you want to respond?",
    "check_all": "Check all that apply:",
    "dispute_because": "I want to dispute the debt because I think:",
    "not_mine": "This is not my debt.",
    "wrong_amount": "The amount is wrong.",
    "other": "Other (please describe on reverse or attach additional information).",
    "want_creditor": "I want you to send me the name and address of the original creditor.",
    "enclosed": "I enclosed this amount: $ ____________",
    "payable": "Make your check payable to {agency}. Include the reference number {account_number}.",
    "want_spanish": "Quiero este formulario en español.",
    "reference_number": "Reference: {account_number}",
    "sent_on": "Sent on {sent_on}",
    "references": {
        "last_statement": "the last statement date",
        "charge_off": "the charge-off date",
        "last_payment": "the last payment date",
        "transaction": "the transaction date",
        "judgment": "the judgment date",
    },
    "months": "January February March April May June July August September October November December".split(),
    "date": "{month} {day}, {year}",
}

ES = {
    "title": "Aviso de validación",
    "intro": (
        "{agency} es un cobrador de deudas. Estamos tratando de cobrar una deuda que usted le debe a {creditor}. "
        "Usaremos cualquier información que usted nos dé para ayudarnos a cobrar la deuda."
    ),
    "our_information": "Según nuestra información:",
    "account": "Usted tenía una cuenta de {creditor_on_date} con el número de cuenta {account_number}.",
    "original_creditor": "El acreedor original de esta deuda es {original_creditor}.",
    "as_of": "Al {itemization_date} ({reference}), usted debía:",
    "between": "Entre el {itemization_date} y hoy:",
    "interest": "Se le cobró esta cantidad en intereses:",
    "fees": "Se le cobró esta cantidad en cargos:",
    "payments": "Usted pagó o se le acreditó esta cantidad a la deuda:",
    "total": "Cantidad total de la deuda ahora:",
    "dispute_heading": "¿Cómo puede usted disputar la deuda?",
    "dispute_call": (
        "Llámenos o escríbanos a más tardar el {end}, para disputar toda la deuda o parte de ella. Si no lo "
        "hace, asumiremos que nuestra información es correcta."
    ),
    "dispute_write": (
        "Si nos escribe a más tardar el {end}, debemos dejar de cobrar cualquier cantidad que usted dispute "
        "hasta que le enviemos información que demuestre que usted debe la deuda. Puede usar el formulario de "
        "abajo o escribirnos sin el formulario. También puede incluir documentos de respaldo."
    ),
    "else_heading": "¿Qué más puede hacer?",
    "else_creditor": (
        "Escríbanos para pedir el nombre y la dirección del acreedor original, si es distinto del acreedor "
        "actual. Si nos escribe a más tardar el {end}, debemos dejar de cobrar hasta que le enviemos esa "
        "información. Puede usar el formulario de abajo o escribirnos sin el formulario."
    ),
    "else_cfpb": (
        "Visite {cfpb} para obtener más información sobre sus derechos según la ley federal. Por ejemplo, "
        "usted tiene derecho a detener o limitar la forma en que nos comunicamos con usted."
    ),
    "else_contact": "Comuníquese con nosotros para conocer sus opciones de pago.",
    "else_spanish": "Este aviso está en español, como usted lo pidió.",
    "tear_off": "Desprenda este formulario y envíelo por correo a:",
    "respond_heading": "¿Cómo desea responder?",
    "check_all": "Marque todas las opciones que correspondan:",
    "dispute_because": "Quiero disputar la deuda porque creo que:",
    "not_mine": "Esta deuda no es mía.",
    "wrong_amount": "La cantidad es incorrecta.",
    "other": "Otro motivo (descríbalo al dorso o adjunte información adicional).",
    "want_creditor": "Quiero que me envíen el nombre y la dirección del acreedor original.",
    "enclosed": "Adjunto esta cantidad: $ ____________",
    "payable": "Haga su cheque pagadero a {agency}. Incluya el número de referencia {account_number}.",
    "want_spanish": "Quiero recibir los avisos futuros en español.",
    "reference_number": "Referencia: {account_number}",
    "sent_on": "Enviado el {sent_on}",
    "references": {
        "last_statement": "la fecha del último estado de cuenta",
        "charge_off": "la fecha de cancelación contable",
        "last_payment": "la fecha del último pago",
        "transaction": "la fecha de la transacción",
        "judgment": "la fecha de la sentencia",
    },
    "months": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
    "date": "{day} de {month} de {year}",
}

TEXTS = {"en": EN, "es": ES}


def written_date(day: date, language: str) -> str:
    """``day`` written out in ``language`` ("January 14, 2027"; "14 de enero de 2027")."""
    words = TEXTS[language]
    return words["date"].format(month=words["months"][day.month - 1], day=day.day, year=day.year)
