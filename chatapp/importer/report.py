"""The closing report: per collection, what was imported, what was skipped and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

EXAMPLES = 5  # records named per reason; the count covers them all


@dataclass
class Tally:
    imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def read(self) -> int:
        return self.imported + sum(self.skipped.values())


@dataclass
class Report:
    collections: dict[str, Tally] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    changed_owners: set[int] = field(default_factory=set)  # users given conversations or messages

    def tally(self, collection: str) -> Tally:
        return self.collections.setdefault(collection, Tally())

    def imported(self, collection: str, n: int = 1) -> None:
        self.tally(collection).imported += n

    def earlier(self, collection: str, n: int) -> None:
        """`n` documents an earlier run imported."""
        if n:
            self.skip(collection, "imported by an earlier run", n=n)

    def skip(self, collection: str, reason: str, record: str = "", n: int = 1) -> None:
        """`n` documents not imported; `record` names one (the first few kept per reason)."""
        tally = self.tally(collection)
        tally.skipped[reason] += n
        named = tally.examples.setdefault(reason, [])
        if record and len(named) < EXAMPLES:
            named.append(record)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def lines(self) -> list[str]:
        out = []
        for name, tally in self.collections.items():
            out.append(f"{name}: {tally.imported} imported, {sum(tally.skipped.values())} skipped")
            for reason, n in tally.skipped.most_common():
                named = ", ".join(tally.examples.get(reason, []))
                out.append(f"  {n} × {reason}" + (f" (e.g. {named})" if named else ""))
        return out + [f"note: {text}" for text in self.notes]
