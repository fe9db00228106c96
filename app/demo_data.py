"""The fixed tables behind the demo data: agencies, staff, creditors, people, places and timeline texts.

Emails use reserved ``example`` domains and phones the fictional 555-01xx range, so nothing here can reach a
real person.
"""

from dataclasses import dataclass
from decimal import Decimal

from app.accounts.states import Status

S = Status
ADMIN_PASSWORD = "Demo@2026"  # noqa: S105  (published demo credential, printed by `make run`)
COLLECTOR_PASSWORD = "Collector@2026"  # noqa: S105  (published demo credential)


@dataclass(frozen=True)
class StaffSpec:
    username: str
    full_name: str
    commission_rate: Decimal = Decimal("0.1000")
    max_open_accounts: int = 40


@dataclass(frozen=True)
class AgencySpec:
    name: str
    slug: str
    license_number: str
    timezone: str
    email_domain: str
    admin: StaffSpec
    collectors: tuple[StaffSpec, ...]
    creditors: tuple[tuple[str, str], ...]  # (name, account type)
    statuses: tuple[tuple[Status, int], ...]  # how many accounts end in each status
    shared_debtors: int  # debtors who own a second account
    first_ref: int
    seed: int
    currency: str = "USD"

    @property
    def account_count(self) -> int:
        return sum(n for _, n in self.statuses)


APEX = AgencySpec(
    name="Apex Recovery Solutions",
    slug="apex-recovery",
    license_number="DCA-2024-08812",
    timezone="America/New_York",
    email_domain="apexrecovery.example",
    admin=StaffSpec("demo.admin", "Demo Admin"),
    collectors=(
        StaffSpec("sarah.mitchell", "Sarah Mitchell", Decimal("0.1200")),
        StaffSpec("james.carter", "James Carter", Decimal("0.1000")),
        StaffSpec("maria.gonzalez", "Maria Gonzalez", Decimal("0.1100")),
        StaffSpec("david.thompson", "David Thompson", Decimal("0.1000")),
    ),
    creditors=(
        ("Harborview Bank Card Services", "credit_card"),
        ("St. Brendan Medical Center", "medical"),
        ("Summit Auto Finance", "auto_loan"),
        ("Keystone Personal Lending", "personal_loan"),
        ("Tri-County Electric & Gas", "utility"),
        ("Crestline Wireless", "telecom"),
    ),
    statuses=(
        (S.NEW, 8),
        (S.ASSIGNED, 10),
        (S.IN_CONTACT, 16),
        (S.NEGOTIATING, 14),
        (S.PAYMENT_PLAN, 15),
        (S.SETTLED, 10),
        (S.CLOSED, 8),
        (S.DISPUTED, 4),
    ),
    shared_debtors=5,
    first_ref=20000,
    seed=20260101,
)

NORTHWIND = AgencySpec(
    name="Northwind Credit Services",
    slug="northwind-credit",
    license_number="CAB-2023-31975",
    timezone="America/Chicago",
    email_domain="northwindcredit.example",
    admin=StaffSpec("nw.admin", "Nora Whitfield"),
    collectors=(
        StaffSpec("li.wei", "Li Wei", Decimal("0.1000")),
        StaffSpec("omar.haddad", "Omar Haddad", Decimal("0.0900")),
    ),
    creditors=(
        ("Lakeshore Credit Union", "credit_card"),
        ("Northside Medical Group", "medical"),
        ("Evergreen Auto Credit", "auto_loan"),
        ("Pioneer Loan Company", "personal_loan"),
        ("Cascade Water & Power", "utility"),
        ("Beacon Broadband", "telecom"),
    ),
    statuses=(
        (S.NEW, 2),
        (S.ASSIGNED, 3),
        (S.IN_CONTACT, 4),
        (S.NEGOTIATING, 3),
        (S.PAYMENT_PLAN, 3),
        (S.SETTLED, 2),
        (S.CLOSED, 2),
        (S.DISPUTED, 1),
    ),
    shared_debtors=2,
    first_ref=20000,  # the same refs as Apex: refs are unique per agency only
    seed=20260202,
)

AGENCIES = (APEX, NORTHWIND)

# Whole-dollar bounds of the original amount per account type.
AMOUNT_RANGES = {
    "credit_card": (800, 15000),
    "medical": (500, 9000),
    "auto_loan": (4000, 25000),
    "personal_loan": (1500, 20000),
    "utility": (500, 2500),
    "telecom": (500, 1800),
}

# How many days ago an account ending in each status was placed: new ones are recent, closed ones old.
PLACEMENT_DAYS = {
    S.NEW: (1, 14),
    S.ASSIGNED: (2, 45),
    S.IN_CONTACT: (5, 120),
    S.NEGOTIATING: (10, 150),
    S.PAYMENT_PLAN: (20, 180),
    S.SETTLED: (30, 180),
    S.CLOSED: (15, 180),
    S.DISPUTED: (10, 150),
}

# Status histories from NEW, each step allowed by the state machine (new -> assigned is the assignment itself).
PATHS = {
    S.NEW: ((),),
    S.ASSIGNED: ((S.ASSIGNED,),),
    S.IN_CONTACT: ((S.ASSIGNED, S.IN_CONTACT), (S.ASSIGNED, S.DISPUTED, S.IN_CONTACT)),
    S.NEGOTIATING: ((S.ASSIGNED, S.IN_CONTACT, S.NEGOTIATING),),
    S.PAYMENT_PLAN: ((S.ASSIGNED, S.IN_CONTACT, S.NEGOTIATING, S.PAYMENT_PLAN),),
    S.SETTLED: (
        (S.ASSIGNED, S.IN_CONTACT, S.NEGOTIATING, S.SETTLED),
        (S.ASSIGNED, S.IN_CONTACT, S.NEGOTIATING, S.PAYMENT_PLAN, S.SETTLED),
    ),
    S.CLOSED: (
        (S.CLOSED,),
        (S.ASSIGNED, S.CLOSED),
        (S.ASSIGNED, S.IN_CONTACT, S.CLOSED),
        (S.ASSIGNED, S.DISPUTED, S.CLOSED),
        (S.ASSIGNED, S.IN_CONTACT, S.NEGOTIATING, S.SETTLED, S.CLOSED),
    ),
    S.DISPUTED: ((S.ASSIGNED, S.DISPUTED), (S.ASSIGNED, S.IN_CONTACT, S.DISPUTED)),
}

# Why a status changed, appended to its timeline entry like a user's note. Looked up by (old, new) first, then by
# the target status; an empty reason leaves the entry bare.
REASONS = {
    (S.NEW, S.CLOSED): ("Recalled by the creditor before assignment",),
    (S.SETTLED, S.CLOSED): ("Settlement completed; file returned to the creditor",),
    (S.DISPUTED, S.CLOSED): ("Dispute upheld; the creditor withdrew the balance",),
    (S.DISPUTED, S.IN_CONTACT): ("Debt validated; documents accepted by the debtor",),
    S.IN_CONTACT: ("Right-party contact confirmed by phone", "Debtor returned our call", ""),
    S.NEGOTIATING: ("Debtor asked about settlement options", "Debtor wants to resolve before year end"),
    S.PAYMENT_PLAN: ("Monthly installments agreed", "Plan confirmed in writing"),
    S.SETTLED: ("Settlement agreed with creditor approval", "Lump-sum settlement accepted"),
    S.DISPUTED: ("Debtor disputes the balance in writing", "Debtor says the debt is not theirs"),
    S.CLOSED: ("Uncollectible: hardship documented", "Debtor deceased; estate notified", "Chapter 7 bankruptcy filed"),
}

# Notes a collector (or the admin) would write while the account is in each status.
NOTES = {
    S.ASSIGNED: (
        "Called the primary number, no answer; left a voicemail with our callback number.",
        "Sent the initial validation letter to the address on file.",
        "Skip trace found a newer mobile number; will try it tomorrow morning.",
        "Emailed an account summary with payment options.",
    ),
    S.IN_CONTACT: (
        "Spoke with the debtor; identity confirmed and balance reviewed.",
        "Debtor asked for a call back next Friday, after payday.",
        "Debtor recently changed jobs; open to discussing options once settled in.",
        "Debtor believes part of the balance was paid to the creditor; asked for proof of payment.",
    ),
    S.NEGOTIATING: (
        "Offered a 60% lump-sum settlement; debtor will discuss with spouse.",
        "Debtor countered at 40%; asking the creditor whether 50% is acceptable.",
        "Discussed a 12-month plan; waiting for income documents.",
        "Creditor guidelines allow settlement between 55% and 70% of the balance.",
    ),
    S.PAYMENT_PLAN: (
        "Plan confirmation letter and schedule sent by email and post.",
        "Reminder call ahead of the next installment; debtor confirmed.",
        "Debtor asked to move installments to the 1st of the month; agreed.",
        "Debtor on track with the plan; no action needed.",
    ),
    S.DISPUTED: (
        "Written dispute received; collection paused pending validation.",
        "Requested the itemised statement and signed agreement from the creditor.",
        "Creditor documents forwarded to the debtor by certified mail.",
    ),
    S.SETTLED: (
        "Settlement letter sent to the debtor.",
        "Creditor confirmed the settlement terms.",
    ),
    S.CLOSED: (
        "File closed and returned to the creditor.",
        "Closing documentation archived.",
    ),
}

# Notes the agency admin leaves while supervising, whatever the status.
ADMIN_NOTES = (
    "Reviewed the file; letters and call log are in order.",
    "Creditor asked for a status update; replied with a summary of recent activity.",
    "Approved handling per the creditor's settlement guidelines.",
    "Quality review: call notes complete, disclosures given.",
)

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Ashley",
    "Donald", "Kimberly", "Steven", "Emily", "Andrew", "Donna", "Joshua", "Michelle", "Kevin", "Carol",
    "Brian", "Amanda", "Luis", "Rosa", "Tyrone", "Keisha", "Hiroshi", "Mei", "Ahmed", "Priya",
)  # fmt: skip

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
    "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Patel", "Kowalski",
)  # fmt: skip

# Every (first, last) pair: debtors draw distinct names from it.
FULL_NAMES = tuple((first, last) for first in FIRST_NAMES for last in LAST_NAMES)

STREETS = (
    "Maple Ave", "Oak St", "Cedar Ln", "Pine St", "Elm St", "Washington Blvd", "Lake Dr", "Hillcrest Rd",
    "Park Ave", "Main St", "Sunset Blvd", "River Rd", "Church St", "Highland Ave", "Jefferson St",
    "Lincoln Way", "Franklin Ave", "Willow Ct", "Chestnut St", "Meadow Ln",
)  # fmt: skip

# (city, state, ZIP, area code)
CITIES = (
    ("Pittsburgh", "PA", "15213", "412"), ("Philadelphia", "PA", "19103", "215"),
    ("Newark", "NJ", "07102", "973"), ("Albany", "NY", "12207", "518"), ("Buffalo", "NY", "14202", "716"),
    ("Baltimore", "MD", "21201", "410"), ("Richmond", "VA", "23219", "804"), ("Raleigh", "NC", "27601", "919"),
    ("Charlotte", "NC", "28202", "704"), ("Atlanta", "GA", "30303", "404"), ("Tampa", "FL", "33602", "813"),
    ("Orlando", "FL", "32801", "407"), ("Columbus", "OH", "43215", "614"), ("Cleveland", "OH", "44114", "216"),
    ("Detroit", "MI", "48226", "313"), ("Indianapolis", "IN", "46204", "317"), ("Chicago", "IL", "60601", "312"),
    ("Milwaukee", "WI", "53202", "414"), ("Minneapolis", "MN", "55401", "612"), ("St. Louis", "MO", "63101", "314"),
    ("Nashville", "TN", "37203", "615"), ("Louisville", "KY", "40202", "502"), ("Houston", "TX", "77002", "713"),
    ("Dallas", "TX", "75201", "214"), ("Austin", "TX", "78701", "512"), ("Denver", "CO", "80202", "303"),
    ("Phoenix", "AZ", "85004", "602"), ("Boston", "MA", "02108", "617"), ("Hartford", "CT", "06103", "860"),
    ("Providence", "RI", "02903", "401"),
)  # fmt: skip

EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example")
