"""The worklist bench's printed tables: filters down and sorts across, or one line per case."""

from bench.worklist_cases import sorts

QUERY_BUDGET_MS = 5.0
PAGE_BUDGET_MS = 30.0


def print_matrix(title: str, results: dict[str, tuple[float, float]]) -> None:
    """Filters down, sorts across: p95 in ms (p50 in the JSON); '*' marks an over-budget cell."""
    columns = [f"{s}_{d}" for s, d in sorts()]
    filters = list(dict.fromkeys(name.split("/")[0] for name in results if "/" in name))
    print(f"\n{title}, p95 ms ('*' >= {QUERY_BUDGET_MS} ms)")
    print(f"{'filter':<16}" + "".join(f"{c.replace('last_contact', 'contact'):>14}" for c in columns))
    for name in filters:
        cells = [results.get(f"{name}/{c}") for c in columns]
        print(f"{name:<16}" + "".join(f"{_cell(c[1], QUERY_BUDGET_MS):>14}" if c else f"{'':>14}" for c in cells))
    print_list("combinations", {k: v for k, v in results.items() if "/" not in k})


def print_list(title: str, results: dict[str, tuple[float, float]], budget: float = QUERY_BUDGET_MS) -> None:
    print(f"  {title}:")
    for name, (p50, p95) in results.items():
        print(f"    {name:<34} p50 {p50:8.2f}  p95 {_cell(p95, budget):>9}")


def _cell(value: float, budget: float) -> str:
    return f"{value:.2f}{'*' if value >= budget else ''}"


def slowest(queries: dict[str, dict], count: int) -> list[tuple[str, str, float]]:
    flat = [(viewer, name, p95) for viewer, cases in queries.items() for name, (_, p95) in cases.items()]
    return sorted(flat, key=lambda item: -item[2])[:count]
