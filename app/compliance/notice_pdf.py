"""The validation notice as a PDF (fpdf2), laid out after the CFPB's Model Form B-1: who writes and to whom, the
debt and its itemization, how to dispute it by the end of the validation period, what else the consumer can do,
and the response form to tear off. The words are in :mod:`app.compliance.notice_text`.

fpdf2's built-in Helvetica writes Latin-1 (every letter of English and Spanish); a name with a letter beyond
it is written with the letter's base form ("Łukasz" as "Lukasz"), never dropped.
"""

import unicodedata
from datetime import date
from decimal import Decimal

from fpdf import FPDF

from app.compliance.notice_text import CFPB_URL, TEXTS, NoticeFacts, written_date
from app.moneyfmt import money

MARGIN = 14
WIDTH = 187  # the text width of a Letter page (215.9 mm) within the margins
AMOUNT_WIDTH = 40
LINE = 4.4
BODY = 9
TEAR_OFF_HEIGHT = 80  # the response form's height: it starts a page of its own rather than break across two


def render_notice(facts: NoticeFacts) -> bytes:
    """The notice's PDF bytes. fpdf2 stamps a creation date into the file: the stored bytes are the proof."""
    pdf = _Notice(facts)
    pdf.add_page()
    pdf.header_block()
    pdf.debt_block()
    pdf.rights_block()
    pdf.tear_off_block()
    return bytes(pdf.output())


class _Notice(FPDF):
    def __init__(self, facts: NoticeFacts):
        super().__init__(format="Letter")
        self.facts, self.words = facts, TEXTS[facts.language]
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.set_title(self.words["title"])
        self.set_lang(facts.language)
        self.fields = {
            "agency": facts.agency_name,
            "creditor": facts.current_creditor,
            "creditor_on_date": facts.creditor_on_date,
            "original_creditor": facts.original_creditor or "",
            "account_number": facts.account_number,
            "itemization_date": self.day(facts.itemization_date),
            "reference": self.words["references"][facts.reference],
            "end": self.day(facts.period_ends),
            "sent_on": self.day(facts.sent_on),
            "cfpb": CFPB_URL,
        }

    def day(self, day: date) -> str:
        return written_date(day, self.facts.language)

    def say(self, key: str, size: int = BODY, style: str = "", indent: int = 0) -> None:
        """One of the language's paragraphs, its placeholders filled."""
        self.text_block(self.words[key].format(**self.fields), size, style, indent)

    def text_block(self, text: str, size: int = BODY, style: str = "", indent: int = 0) -> None:
        self.set_font("Helvetica", style, size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(WIDTH - indent, LINE, latin1(text), new_x="LMARGIN", new_y="NEXT")

    def header_block(self) -> None:
        facts = self.facts
        self.text_block("\n".join([facts.agency_name, *facts.agency_address]), BODY, "B")
        self.say("sent_on", 8)
        self.ln(3)
        self.text_block("\n".join([facts.consumer_name, *facts.consumer_address]))
        self.ln(3)
        self.text_block(f"{self.words['title']} - {self.words['reference_number']}".format(**self.fields), 13, "B")
        self.ln(1)
        self.say("intro")
        self.ln(2)

    def debt_block(self) -> None:
        facts = self.facts
        self.say("our_information", 10, "B")
        self.say("account")
        if facts.original_creditor:
            self.say("original_creditor")
        self.ln(2)
        self.amount_line(self.words["as_of"].format(**self.fields), facts.amount_on_date, "B")
        self.say("between")
        self.amount_line(self.words["interest"], facts.interest, sign="+ ")
        self.amount_line(self.words["fees"], facts.fees, sign="+ ")
        self.amount_line(self.words["payments"], facts.payments_credits, sign="- ")
        self.amount_line(self.words["total"], facts.total_now, "B")
        self.ln(2)

    def amount_line(self, label: str, amount: Decimal, style: str = "", sign: str = "") -> None:
        """A row of the itemization table: the label, then the amount right-aligned in its column."""
        self.set_font("Helvetica", style, BODY)
        self.cell(WIDTH - AMOUNT_WIDTH, LINE + 1, latin1(label), border="B")
        self.cell(AMOUNT_WIDTH, LINE + 1, sign + money(amount), border="B", align="R", new_x="LMARGIN", new_y="NEXT")

    def rights_block(self) -> None:
        self.say("dispute_heading", 11, "B")
        for key in ("dispute_call", "dispute_write"):
            self.bullet(key)
        self.ln(1)
        self.say("else_heading", 11, "B")
        for key in ("else_creditor", "else_cfpb", "else_contact", "else_spanish"):
            self.bullet(key)
        self.ln(3)

    def bullet(self, key: str) -> None:
        self.set_font("Helvetica", "", BODY)
        self.cell(5, LINE, "-")
        self.set_x(self.l_margin)
        self.say(key, indent=5)

    def tear_off_block(self) -> None:
        facts = self.facts
        if self.get_y() + TEAR_OFF_HEIGHT > self.page_break_trigger:
            self.add_page()
        self.set_dash_pattern(dash=2, gap=2)
        self.line(self.l_margin, self.get_y(), self.l_margin + WIDTH, self.get_y())
        self.set_dash_pattern()
        self.ln(2)
        self.say("tear_off", 8)
        top = self.get_y()
        self.text_block("\n".join([facts.agency_name, *facts.agency_address]), BODY, "B", indent=5)
        below = self.get_y()
        self.set_y(top)
        self.text_block("\n".join([facts.consumer_name, *facts.consumer_address]), 8, indent=110)
        self.say("reference_number", 8, indent=110)
        self.set_y(max(below, self.get_y()))
        self.ln(2)
        self.say("respond_heading", 11, "B")
        self.say("check_all", 8)
        self.say("dispute_because", BODY, "B")
        for key in ("not_mine", "wrong_amount", "other"):
            self.box(key)
        for key in ("want_creditor", "enclosed"):
            self.box(key, "B")
        self.say("payable", 8, indent=6)
        self.box("want_spanish")

    def box(self, key: str, style: str = "") -> None:
        """A check box before one of the form's answers."""
        self.rect(self.l_margin + 1, self.get_y() + 0.7, 3, 3)
        self.say(key, BODY, style, indent=6)


# Letters without a decomposition to a Latin-1 base
STROKED = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "Ŧ": "T", "ŧ": "t", "Œ": "OE", "œ": "oe"}


def latin1(text: str) -> str:
    """``text`` in the letters Helvetica has: a letter beyond Latin-1 becomes its base form, else "?"."""
    if text.isascii():
        return text
    return "".join(ch if ord(ch) < 256 else _base(ch) for ch in text)


def _base(ch: str) -> str:
    if ch in STROKED:
        return STROKED[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if base and all(ord(c) < 256 for c in base) else "?"
