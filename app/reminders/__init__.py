"""Reminder emails about promises and plans: before each instalment, on a declined autopay charge, on a broken plan.

Each reminder is a row (``Reminder``) written once per instalment, declined charge or broken plan, then sent by an
RQ job (``jobs/reminders.py``) that asks the contact guard for the email channel at the send time.
"""
