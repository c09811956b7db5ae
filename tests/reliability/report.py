"""The scenario table `make reliability` prints: one row per fault scenario."""

from dataclasses import dataclass

ROWS = []
HEADER = ("scenario", "result", "sent", "2xx", "503", "other", "recovery", "notes")


@dataclass
class Row:
    nodeid: str
    scenario: str
    sent: int
    ok: int
    unavailable: int
    other: int
    recovery: float
    notes: str = ""
    result: str = "?"

    def cells(self):
        return (
            self.scenario,
            self.result,
            str(self.sent),
            str(self.ok),
            str(self.unavailable),
            str(self.other),
            f"{self.recovery:.2f} s",
            self.notes,
        )


def record(request, scenario, outcomes, recovery, notes="", other=None):
    """Add a scenario's row; ``other`` overrides the count of neither-2xx-nor-clean-503 outcomes."""
    ok = sum(o.ok for o in outcomes)
    unavailable = sum(o.clean_503 for o in outcomes)
    row = Row(
        nodeid=request.node.nodeid,
        scenario=scenario,
        sent=len(outcomes),
        ok=ok,
        unavailable=unavailable,
        other=len(outcomes) - ok - unavailable if other is None else other,
        recovery=recovery,
        notes=notes,
    )
    ROWS.append(row)
    return row


def table(rows):
    """A Markdown table, so the README can quote it as printed."""
    lines = [HEADER, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]

    def render(cells):
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([render(HEADER), rule, *(render(row.cells()) for row in rows)])
