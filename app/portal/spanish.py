"""The portal's Spanish: each English string the portal shows (the key) and its Spanish, and the patterns of the
plans package's messages that carry figures. Read through :mod:`app.portal.i18n`."""

import re

from app.agencyday import EARLIEST_DAY, LATEST_DAY

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
    "Not a valid choice.": "Elija una de las opciones.",
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
    "Stop contacting me about this debt.": "Dejen de comunicarse conmigo sobre esta deuda.",
    "How we contact you": "Cómo nos comunicamos con usted",
    "Your preferences are saved.": "Sus preferencias se guardaron.",
    "Times that are not convenient for you": "Horarios que no le convienen",
    "We will not call you at these times (your local time).": "No le llamaremos en estos horarios (su hora local).",
    "Time %(n)s": "Horario %(n)s",
    "Day": "Día",
    "From": "Desde",
    "To": "Hasta",
    "Monday": "Lunes",
    "Tuesday": "Martes",
    "Wednesday": "Miércoles",
    "Thursday": "Jueves",
    "Friday": "Viernes",
    "Saturday": "Sábado",
    "Sunday": "Domingo",
    "Calls at work": "Llamadas al trabajo",
    "My employer does not allow calls at work.": "Mi empleador no permite llamadas al trabajo.",
    "Emails": "Correos electrónicos",
    "Tick an address to stop all emails to it.": "Marque una dirección para no recibir más correos en ella.",
    "Stop emails to %(address)s": "No enviar más correos a %(address)s",
    "To stop all contact about a debt, use the request form on the account's page.": (
        "Para que dejemos de comunicarnos sobre una deuda, use el formulario de solicitudes en la página de la cuenta."
    ),
    "Save my preferences": "Guardar mis preferencias",
    "The end must be later than the start.": "La hora final debe ser posterior a la inicial.",
    "Give the day, the start and the end.": "Indique el día, la hora inicial y la final.",
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
    # Plans and settlements
    "Payment plan": "Plan de pagos",
    "Promise to pay": "Promesa de pago",
    "Settlement offer": "Oferta de liquidación",
    "Your plan is set up. Thank you.": "Su plan quedó establecido. Gracias.",
    "Autopay is on: each instalment is charged to your card on its due date.": (
        "El pago automático está activado: cada cuota se cobra a su tarjeta en su fecha de vencimiento."
    ),
    "Autopay is off. Please pay each instalment by its due date.": (
        "El pago automático está desactivado. Pague cada cuota antes de su fecha de vencimiento."
    ),
    "settles a balance of %(balance)s": "liquida un saldo de %(balance)s",
    "Your instalments": "Sus cuotas",
    "Due date": "Fecha de vencimiento",
    "Autopay is on: charged to %(card)s.": "El pago automático está activado: se cobra a %(card)s.",
    "Autopay is off.": "El pago automático está desactivado.",
    "Autopay and saved cards": "Pago automático y tarjetas guardadas",
    "Pay your balance of %(balance)s in instalments. You will see the schedule before you confirm.": (
        "Pague su saldo de %(balance)s en cuotas. Verá el calendario antes de confirmar."
    ),
    "What would you like?": "¿Qué prefiere?",
    "A payment plan for the whole balance": "Un plan de pagos por todo el saldo",
    "A settlement offer": "Una oferta de liquidación",
    "Settlement amount, in dollars": "Monto de la liquidación, en dólares",
    "For a settlement only: pay at least %(floor)s and the rest of the balance is forgiven once you have paid it "
    "all.": (
        "Solo para una liquidación: pague al menos %(floor)s y el resto del saldo se perdona cuando lo haya pagado "
        "todo."
    ),
    "How often?": "¿Con qué frecuencia?",
    "Every week": "Cada semana",
    "Every two weeks": "Cada dos semanas",
    "Every month": "Cada mes",
    "Number of payments": "Número de pagos",
    "Or leave it empty and give the amount of each payment below.": (
        "O déjelo vacío e indique abajo el monto de cada pago."
    ),
    "Amount of each payment, in dollars (optional)": "Monto de cada pago, en dólares (opcional)",
    "Date of the first payment": "Fecha del primer pago",
    "Today's date to pay the first one now.": "La fecha de hoy para hacer el primer pago ahora.",
    "See the schedule": "Ver el calendario",
    "A plan cannot be set up on this account now. Please contact the agency.": (
        "No se puede establecer un plan en esta cuenta ahora. Comuníquese con la agencia."
    ),
    "Your payment schedule": "Su calendario de pagos",
    "Back to the account to change it": "Volver a la cuenta para cambiarlo",
    "%(count)s payments, %(total)s in all.": "%(count)s pagos, %(total)s en total.",
    "This settles your balance of %(balance)s: %(waived)s is forgiven once you have made every payment.": (
        "Esto liquida su saldo de %(balance)s: se perdonan %(waived)s cuando haya hecho todos los pagos."
    ),
    "If a payment is not made within %(days)s days of its due date, the plan ends and the whole balance is due "
    "again.": (
        "Si un pago no se hace dentro de los %(days)s días siguientes a su vencimiento, el plan termina y se debe de "
        "nuevo todo el saldo."
    ),
    "Confirm this plan": "Confirmar este plan",
    "scheduled": "programada",
    "paid": "pagada",
    "partly paid": "pagada en parte",
    "missed": "no pagada",
    "The first due date cannot be in the past.": "La fecha del primer pago no puede estar en el pasado.",
    "Enter the first due date.": "Escriba la fecha del primer pago.",
    "Enter the number of instalments, e.g. 6.": "Escriba el número de pagos, p. ej. 6.",
    "Choose weekly, biweekly or monthly.": "Elija cada semana, cada dos semanas o cada mes.",
    "Choose a promise, a plan or a settlement.": "Elija un plan o una liquidación.",
    "Give either the number of instalments or the amount of each, not both.": (
        "Indique el número de pagos o el monto de cada uno, no ambos."
    ),
    "Give the number of instalments or the amount of each.": "Indique el número de pagos o el monto de cada uno.",
    "The number of instalments must be 1 to 520.": "El número de pagos debe estar entre 1 y 520.",
    "That makes more than 520 instalments; choose a larger amount.": ("Eso da más de 520 pagos; elija un monto mayor."),
    "Each instalment would be less than one cent; choose fewer instalments.": (
        "Cada pago sería de menos de un centavo; elija menos pagos."
    ),
    "The instalment amount is above the total.": "El monto de cada pago es mayor que el total.",
    "Enter an amount such as 125.50.": "Escriba una cantidad como 125.50.",
    "Enter a positive amount with at most two decimals.": (
        "Escriba una cantidad positiva con dos decimales como máximo."
    ),
    "Enter a first due date between 1900 and 2200.": "Escriba una fecha del primer pago entre 1900 y 2200.",
    "The last instalment would fall after 2200.": "El último pago caería después de 2200.",
    "A settlement is for less than the balance; use a plan for the whole balance.": (
        "Una liquidación es por menos del saldo; para todo el saldo elija un plan."
    ),
    "The account already has an active promise or plan; cancel it first.": (
        "La cuenta ya tiene un plan activo. Para cambiarlo, comuníquese con la agencia."
    ),
    # Autopay and saved cards
    "Back to the account": "Volver a la cuenta",
    "Your card is saved.": "Su tarjeta quedó guardada.",
    "The card is removed. It will not be charged.": "La tarjeta se eliminó. No se le cobrará.",
    "Saved cards": "Tarjetas guardadas",
    "saved on %(date)s": "guardada el %(date)s",
    "Remove this card": "Eliminar esta tarjeta",
    "No saved card.": "No hay ninguna tarjeta guardada.",
    "Add a card": "Agregar una tarjeta",
    "Add another card": "Agregar otra tarjeta",
    "Autopay": "Pago automático",
    "Turn off autopay": "Desactivar el pago automático",
    "Card to charge": "Tarjeta a la que se cobrará",
    "Authorization for recurring charges": "Autorización de cobros periódicos",
    "I have read this authorization and I agree to it.": "Leí esta autorización y estoy de acuerdo.",
    "Turn on autopay": "Activar el pago automático",
    "Charge this card instead": "Cobrar a esta tarjeta en su lugar",
    "Save a card to turn on autopay.": "Guarde una tarjeta para activar el pago automático.",
    "Choose a card.": "Elija una tarjeta.",
    "Tick the box to authorize the charges.": "Marque la casilla para autorizar los cobros.",
    "This account has no active plan.": "Esta cuenta no tiene un plan activo.",
    "I authorize %(agency)s to charge the card I choose above for each instalment of this plan on its due date: "
    "%(schedule)s, %(total)s in all. A declined charge is tried once more %(retry)s days later. I can stop autopay "
    "at any time up to %(stop)s business days before a charge, by turning it off on this page or by calling or "
    "writing to %(agency)s.": (
        "Autorizo a %(agency)s a cobrar a la tarjeta que elijo arriba cada cuota de este plan en su fecha de "
        "vencimiento: %(schedule)s, %(total)s en total. Un cobro rechazado se intenta una vez más %(retry)s días "
        "después. Puedo detener el pago automático en cualquier momento hasta %(stop)s días hábiles antes de un "
        "cobro, desactivándolo en esta página o llamando o escribiendo a %(agency)s."
    ),
    "Save a card for autopay": "Guardar una tarjeta para el pago automático",
    "Back to autopay": "Volver al pago automático",
    "Card entry needs JavaScript. Please turn it on, or call the agency to set up autopay.": (
        "Para escribir la tarjeta se necesita JavaScript. Actívelo o llame a la agencia para establecer el pago "
        "automático."
    ),
    "Saving the card charges nothing. You choose next whether to use it for autopay.": (
        "Guardar la tarjeta no cobra nada. Después elige si usarla para el pago automático."
    ),
    "Save the card": "Guardar la tarjeta",
    "The card was not saved: the card set-up did not succeed.": "La tarjeta no se guardó: el registro no funcionó.",
    "Page not found": "Página no encontrada",
    "There is nothing here. Check the address, or sign in again.": (
        "No hay nada aquí. Revise la dirección o vuelva a iniciar sesión."
    ),
}


# The plans package's messages that carry figures (a creditor's bounds): matched, and put in Spanish with the
# figures kept.
SPANISH_PATTERNS = [
    (
        re.compile(
            r"The creditor allows a discount of at most (?P<pct>[\d.]+)%: settle for (?P<floor>[\d.]+) or more\."
        ),
        "El acreedor permite un descuento de hasta %(pct)s %%: liquide por %(floor)s o más.",
    ),
    (
        re.compile(r"The creditor's minimum instalment is (?P<minimum>[\d.]+)\."),
        "El pago mínimo que acepta el acreedor es %(minimum)s.",
    ),
    (
        re.compile(r"The total is above the current balance of (?P<balance>[\d.]+)\."),
        "El total es mayor que el saldo actual de %(balance)s.",
    ),
]
