"""The portal's two languages: English (the keys) and Spanish, from a small catalogue kept in code.

Every string the portal shows goes through :func:`translate` (``_()`` in its templates); a test holds that
each one used in the templates and in the portal's messages has its Spanish here. A key missing from the
catalogue shows in English rather than failing.
"""

from flask import request, session

from app.agencyday import EARLIEST_DAY, LATEST_DAY

LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT = "en"
SESSION_KEY = "portal_lang"
PLAUSIBLE_DATE = f"Enter a date between {EARLIEST_DAY} and {LATEST_DAY}."

SPANISH: dict[str, str] = {
    # Layout, disclosures and language switch
    "Skip to main content": "Saltar al contenido principal",
    "Language": "Idioma",
    "Licence number": "Número de licencia",
    "This is a communication from a debt collector.": "Esta es una comunicación de un cobrador de deudas.",
    "This is an attempt to collect a debt and any information obtained will be used for that purpose.": (
        "Este es un intento de cobrar una deuda y cualquier información obtenida se utilizará para ese fin."
    ),
    "Sign out": "Cerrar sesión",
    "Your accounts": "Sus cuentas",
    "Debtor portal": "Portal de pagos",
    "Please use the portal address printed on your letter or email.": (
        "Use la dirección del portal que aparece en su carta o correo electrónico."
    ),
    # Sign-in
    "Sign in to see and pay your account": "Inicie sesión para ver y pagar su cuenta",
    "Use the link in your letter or email, or enter the details below.": (
        "Use el enlace de su carta o correo electrónico, o escriba los datos a continuación."
    ),
    "Account reference": "Referencia de la cuenta",
    "As printed on your letter.": "Como aparece en su carta.",
    "Last name": "Apellido",
    "ZIP code": "Código postal",
    "Date of birth": "Fecha de nacimiento",
    "Last 4 digits of your SSN": "Últimos 4 dígitos de su número de Seguro Social",
    "If we have it on file, give your date of birth or the last 4 digits of your Social Security number.": (
        "Si los tenemos registrados, indique su fecha de nacimiento o los últimos 4 dígitos de su número de "
        "Seguro Social."
    ),
    "Optional": "Opcional",
    "Sign in": "Iniciar sesión",
    "Your session ended. Please sign in again.": "Su sesión terminó. Vuelva a iniciar sesión.",
    "You are signed out.": "Ha cerrado la sesión.",
    "We could not match these details to an account. Check them and try again.": (
        "No pudimos encontrar una cuenta con estos datos. Revíselos e inténtelo de nuevo."
    ),
    "Too many attempts for this account reference. Try again in 15 minutes.": (
        "Demasiados intentos para esta referencia de cuenta. Inténtelo de nuevo en 15 minutos."
    ),
    "This link has expired. Sign in with your account details instead.": (
        "Este enlace ha vencido. Inicie sesión con los datos de su cuenta."
    ),
    "Please correct the fields marked below.": "Corrija los campos indicados a continuación.",
    # Form messages
    "This field is required.": "Este campo es obligatorio.",
    "This is too long.": "Es demasiado largo.",
    "Enter exactly 4 digits.": "Escriba exactamente 4 dígitos.",
    "Not a valid date value.": "Escriba la fecha como año-mes-día, p. ej. 1980-04-23.",
    PLAUSIBLE_DATE: f"Escriba una fecha entre {EARLIEST_DAY} y {LATEST_DAY}.",
    "The form expired; reload the page and submit again.": (
        "El formulario venció; vuelva a cargar la página y envíelo de nuevo."
    ),
    "The form expired; reload the page.": "El formulario venció; vuelva a cargar la página.",
    "Enter a positive amount with at most two decimals, e.g. 125.50.": (
        "Escriba una cantidad positiva con dos decimales como máximo, p. ej. 125.50."
    ),
    "Enter an amount from %(low)s to %(high)s.": "Escriba una cantidad entre %(low)s y %(high)s.",
    "A closed account takes no payments.": "Una cuenta cerrada no acepta pagos.",
    "Card payments are not available right now. Please contact the agency.": (
        "Los pagos con tarjeta no están disponibles ahora. Comuníquese con la agencia."
    ),
    # Accounts
    "Account": "Cuenta",
    "Creditor": "Acreedor",
    "Balance": "Saldo",
    "Status": "Estado",
    "View and pay": "Ver y pagar",
    "View": "Ver",
    "You have no accounts with us.": "No tiene cuentas con nosotros.",
    "Back to your accounts": "Volver a sus cuentas",
    "Original creditor": "Acreedor original",
    "Current balance": "Saldo actual",
    "How the balance is made up": "Cómo se compone el saldo",
    "Amount owed on %(date)s": "Cantidad adeudada el %(date)s",
    "Interest since then": "Intereses desde entonces",
    "Fees since then": "Cargos desde entonces",
    "Payments and credits since then": "Pagos y créditos desde entonces",
    "Payment history": "Historial de pagos",
    "Validation notice": "Aviso de validación",
    "Dispute this debt": "Disputar esta deuda",
    "We received your request. We will not collect this debt until we send you what you asked for.": (
        "Recibimos su solicitud. No cobraremos esta deuda hasta enviarle lo que pidió."
    ),
    "Your dispute is being reviewed. We will send you the verification.": (
        "Estamos revisando su disputa. Le enviaremos la verificación."
    ),
    "What would you like to do?": "¿Qué desea hacer?",
    "I dispute this debt.": "Disputo esta deuda.",
    "Send me the name and address of the original creditor.": (
        "Envíenme el nombre y la dirección del acreedor original."
    ),
    "Amount you dispute, in dollars (optional)": "Monto que disputa, en dólares (opcional)",
    "Leave it empty to dispute the whole balance.": "Déjelo vacío para disputar todo el saldo.",
    "Tell us why (optional)": "Díganos por qué (opcional)",
    "Send my request": "Enviar mi solicitud",
    "Notice sent on %(date)s (PDF)": "Aviso enviado el %(date)s (PDF)",
    "You may dispute the debt until %(date)s.": "Puede disputar la deuda hasta el %(date)s.",
    "Date": "Fecha",
    "Amount": "Cantidad",
    "Method": "Método",
    "No payments yet.": "Todavía no hay pagos.",
    "Pay now": "Pagar ahora",
    "This account takes no payments.": "Esta cuenta no acepta pagos.",
    # Statuses
    "open": "abierta",
    "settled": "saldada",
    "closed": "cerrada",
    "disputed": "en disputa",
    "payment plan": "plan de pagos",
    "pending": "pendiente",
    "completed": "completado",
    "failed": "fallido",
    "refunded": "reembolsado",
    "partially refunded": "reembolsado en parte",
    "card": "tarjeta",
    "check": "cheque",
    "cash": "efectivo",
    "bank transfer": "transferencia bancaria",
    # Paying
    "Make a payment": "Hacer un pago",
    "Pay any amount from %(low)s to %(high)s.": "Pague cualquier cantidad entre %(low)s y %(high)s.",
    "Amount in dollars": "Cantidad en dólares",
    "Continue to card details": "Continuar a los datos de la tarjeta",
    "Card details": "Datos de la tarjeta",
    "Your card details go straight to our payment processor, Stripe; we never see them.": (
        "Los datos de su tarjeta van directamente a nuestro procesador de pagos, Stripe; nosotros nunca los vemos."
    ),
    "Card": "Tarjeta",
    "Pay %(amount)s": "Pagar %(amount)s",
    "Card entry needs JavaScript. Please turn it on, or call the agency to pay by phone.": (
        "Para escribir la tarjeta se necesita JavaScript. Actívelo o llame a la agencia para pagar por teléfono."
    ),
    "Thank you: your payment of %(amount)s was received.": "Gracias: recibimos su pago de %(amount)s.",
    "The payment did not go through. You can try again with another card.": (
        "El pago no se realizó. Puede intentarlo de nuevo con otra tarjeta."
    ),
    "This payment expired. Please start a new one.": "Este pago venció. Inicie uno nuevo.",
    "Card payments are briefly unavailable. Please try again in a few minutes.": (
        "Los pagos con tarjeta no están disponibles por un momento. Inténtelo de nuevo en unos minutos."
    ),
    "Card payments are briefly unavailable. Please try again in a few minutes; this link stays valid until it "
    "expires.": "Los pagos con tarjeta no están disponibles por un momento. Inténtelo de nuevo en unos minutos.",
    "Page not found": "Página no encontrada",
    "There is nothing here. Check the address, or sign in again.": (
        "No hay nada aquí. Revise la dirección o vuelva a iniciar sesión."
    ),
}


def current_language() -> str:
    """The debtor's language: ``?lang=`` when given (and remembered), else the one remembered, else English."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session[SESSION_KEY] = asked
    chosen = session.get(SESSION_KEY)
    return chosen if chosen in LANGUAGES else DEFAULT


def translate(text: str, language: str, **params) -> str:
    """``text`` in ``language``, with ``%(name)s`` placeholders filled from ``params``."""
    out = SPANISH.get(text, text) if language == "es" else text
    return out % params if params else out
