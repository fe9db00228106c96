"""Choosing a collector for each account of a distribution, never past a collector's free capacity."""

from dataclasses import dataclass, field

ROUND_ROBIN = "round_robin"
CAPACITY = "capacity"
MODES = {ROUND_ROBIN: "Round-robin (in turn)", CAPACITY: "By free capacity (most room first)"}


@dataclass
class Distributor:
    """Hands out ``collector_ids`` in turn (round-robin) or to whoever has the most room left (capacity).

    ``free[i]`` is collector i's free capacity (max open accounts minus their open accounts); an account that
    counts against the limit takes one place and goes to nobody once every place is taken. ``cursor`` is the
    round-robin turn, carried from one batch to the next.
    """

    collector_ids: list[int]
    free: list[int]
    mode: str = ROUND_ROBIN
    cursor: int = 0
    placed: dict[int, int] = field(default_factory=dict)

    def place(self, counts_against_limit: bool = True) -> int | None:
        """The collector for the next account, or None when every chosen collector is full."""
        index = self._capacity_pick(counts_against_limit) if self.mode == CAPACITY else self._turn(counts_against_limit)
        if index is None:
            return None
        self.free[index] -= counts_against_limit
        collector_id = self.collector_ids[index]
        self.placed[collector_id] = self.placed.get(collector_id, 0) + 1
        return collector_id

    def _turn(self, needs_room: bool) -> int | None:
        count = len(self.collector_ids)
        for step in range(count):
            index = (self.cursor + step) % count
            if not needs_room or self.free[index] > 0:
                self.cursor = index + 1
                return index
        return None

    def _capacity_pick(self, needs_room: bool) -> int | None:
        # Most room first; among equals the earliest chosen, so the outcome is the same on every run.
        index = max(range(len(self.free)), key=lambda i: (self.free[i], -i), default=None)
        if index is None or (needs_room and self.free[index] <= 0):
            return None
        return index
