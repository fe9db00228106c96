"""Every bulk action by name. To add one, add its ``BulkAction`` here (see ``app.bulk.registry``)."""

from app.bulk import assign, changes, followups
from app.bulk.registry import BulkAction
from app.errors import NotFound

ACTIONS: dict[str, BulkAction] = {
    a.name: a for a in (assign.ACTION, changes.PRIORITY, changes.STATUS, followups.ACTION)
}


def get_action(name: str) -> BulkAction:
    """The action of that name; NotFound for any other (a crafted URL)."""
    if name not in ACTIONS:
        raise NotFound("No such bulk action.")
    return ACTIONS[name]
