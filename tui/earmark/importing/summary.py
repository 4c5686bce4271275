"""What an import did, for the one summary it prints and the audit entry it writes.

Problems are kept in detail only up to a bound, and counted beyond it, so a manifest of a
million bad lines costs no more memory than one of a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_KEPT_PROBLEMS = 1000  # detailed reasons kept; beyond this only counted
SHOWN_PROBLEMS = 20  # printed in the summary


@dataclass
class ImportSummary:
    imported: int = 0
    duplicates: int = 0
    excluded: int = 0
    unplayable: int = 0
    bad_lines: list[tuple[str, int, str]] = field(default_factory=list)
    dropped_fields: dict[str, int] = field(default_factory=dict)
    lexicon_terms: int = 0
    bad_line_count: int = 0  # all bad lines, also those beyond the kept details
    unplayable_clips: list[tuple[str, int, str]] = field(default_factory=list)
    words_dropped: int = 0  # malformed ASR word entries dropped (clip kept)
    batches: list[str] = field(default_factory=list)
    complete: bool = False  # False while running, and after an import cut short
    purged: int = 0  # stored clips whose consent this import withdrew
    purged_rows: dict[str, int] = field(default_factory=dict)  # derived rows purged with them
    gold: int = 0  # clips imported as gold (hidden references), run by leads

    def add_bad(self, manifest: str, lineno: int, reason: str) -> None:
        self.bad_line_count += 1
        if len(self.bad_lines) < MAX_KEPT_PROBLEMS:
            self.bad_lines.append((manifest, lineno, reason))

    def lines(self) -> list[str]:
        out = []
        where = f" into batch {', '.join(self.batches)}" if self.batches else ""
        extra = f" ({self.unplayable:,} unplayable)" if self.unplayable else ""
        out.append(
            f"imported {self.imported:,} clip{'s' if self.imported != 1 else ''}{where}{extra}"
        )
        if self.gold:
            out.append(f"gold clips (hidden references, served blind): {self.gold:,}")
        if self.duplicates:
            out.append(f"already imported (skipped): {self.duplicates:,}")
        if self.excluded:
            out.append(f"excluded (no consent to review): {self.excluded:,}")
        if self.purged:
            rows = ", ".join(f"{t} {n:,}" for t, n in sorted(self.purged_rows.items()) if n)
            out.append(
                f"consent withdrawn: purged {self.purged:,} stored clip"
                f"{'s' if self.purged != 1 else ''}"
                + (f" and derived rows ({rows})" if rows else "")
            )
        if self.bad_line_count:
            out.append(f"bad lines (not imported): {self.bad_line_count:,}")
            for name, lineno, reason in self.bad_lines[:SHOWN_PROBLEMS]:
                out.append(f"  {name}:{lineno}: {reason}")
            more = self.bad_line_count - min(len(self.bad_lines), SHOWN_PROBLEMS)
            if more > 0:
                out.append(f"  ... and {more:,} more")
        if self.unplayable_clips:
            out.append("unplayable audio (imported as unplayable):")
            for name, lineno, reason in self.unplayable_clips[:SHOWN_PROBLEMS]:
                out.append(f"  {name}:{lineno}: {reason}")
            more = self.unplayable - min(len(self.unplayable_clips), SHOWN_PROBLEMS)
            if more > 0:
                out.append(f"  ... and {more:,} more")
        if self.dropped_fields:
            parts = sorted(self.dropped_fields.items(), key=lambda kv: (-kv[1], kv[0]))
            out.append("dropped fields: " + ", ".join(f"{k} ({v:,})" for k, v in parts))
        if self.words_dropped:
            out.append(f"malformed ASR words dropped: {self.words_dropped:,}")
        if self.lexicon_terms:
            out.append(
                f"lexicon: {self.lexicon_terms:,} new term{'s' if self.lexicon_terms != 1 else ''}"
            )
        return out
