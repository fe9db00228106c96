"""The reminder emails' words in English and Spanish (English where the debtor's language is not known).

Each text is a ``str.format`` pattern over the facts ``content`` gives: ``amount``, ``due``, ``retry``, ``agency``.
"""

from datetime import date

LANGUAGES = ("en", "es")
MONTHS_ES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip

TEXTS = {
    "en": {
        "before_due.subject": "Reminder: {amount} due on {due}",
        "before_due.body": "This is a reminder that your payment of {amount} is due on {due} under the plan you "
        "agreed with {agency}.",
        "charge_declined.subject": "Your payment of {amount} was declined",
        "charge_declined.body": "Your card was declined when we tried to charge {amount} for the payment due on "
        "{due}. We will try again on {retry}. To avoid a missed payment, please make sure the card can be charged "
        "or contact {agency}.",
        "plan_broken.subject": "Your payment plan with {agency} has ended",
        "plan_broken.body": "The payment of {amount} due on {due} was not received, so the plan you agreed with "
        "{agency} has ended. Please contact us to discuss your options.",
        "greeting": "Hello {name},",
        "disclosure": "This is a communication from a debt collector. This is an attempt to collect a debt and any "
        "information obtained will be used for that purpose.",
        "opt_out": "To stop receiving emails at this address, follow this link:",
        "opt_out_link": "Stop emails to this address",
    },
    "es": {
        "before_due.subject": "Recordatorio: {amount} vence el {due}",
        "before_due.body": "Le recordamos que su pago de {amount} vence el {due} según el plan que acordó con "
        "{agency}.",
        "charge_declined.subject": "Su pago de {amount} fue rechazado",
        "charge_declined.body": "Su tarjeta fue rechazada cuando intentamos cobrar {amount} por el pago que vence "
        "el {due}. Lo intentaremos de nuevo el {retry}. Para evitar un pago no realizado, asegúrese de que la "
        "tarjeta pueda cobrarse o comuníquese con {agency}.",
        "plan_broken.subject": "Su plan de pagos con {agency} ha terminado",
        "plan_broken.body": "No recibimos el pago de {amount} que vencía el {due}, por lo que el plan que acordó "
        "con {agency} ha terminado. Comuníquese con nosotros para hablar de sus opciones.",
        "greeting": "Hola, {name}:",
        "disclosure": "Esta es una comunicación de un cobrador de deudas. Es un intento de cobrar una deuda y "
        "cualquier información obtenida se utilizará para ese fin.",
        "opt_out": "Para dejar de recibir correos en esta dirección, siga este enlace:",
        "opt_out_link": "Dejar de recibir correos en esta dirección",
    },
}


def language_of(wanted: str | None) -> str:
    return wanted if wanted in LANGUAGES else "en"


def long_date(day: date, language: str) -> str:
    """``December 10, 2026`` or ``10 de diciembre de 2026``."""
    if language == "es":
        return f"{day.day} de {MONTHS_ES[day.month - 1]} de {day.year}"
    return f"{day:%B} {day.day}, {day.year}"


def text(language: str, key: str, **facts) -> str:
    return TEXTS[language_of(language)][key].format(**facts)
