"""Chance-corrected agreement on categorical labels: Cohen's kappa and Fleiss' kappa.

Cohen's kappa compares two raters who both labelled the same items; Fleiss' kappa
generalises to any number of raters per item, as long as each item got the same number of
labels (the raters may differ from item to item, which is how overlap assigns them). Both
are (observed agreement - chance agreement) / (1 - chance agreement). When chance agreement
is already 1 (every label the same category) the formula is 0/0; agreement is then perfect,
so it is reported as 1.0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence


def cohen(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa of two raters' labels, one (label_a, label_b) per item; None if empty."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    count_a = Counter(a for a, _ in pairs)
    count_b = Counter(b for _, b in pairs)
    chance = sum(count_a[k] * count_b[k] for k in count_a) / (n * n)
    if chance >= 1.0:
        return 1.0
    return (observed - chance) / (1.0 - chance)


def fleiss(items: Sequence[Sequence[Hashable]]) -> float | None:
    """Fleiss' kappa: each item is the list of labels it got, all items the same length
    (at least 2). None when there is nothing to compare."""
    if not items:
        return None
    m = len(items[0])
    if m < 2 or any(len(i) != m for i in items):
        raise ValueError("Fleiss' kappa needs the same number (2 or more) of labels per item")
    n = len(items)
    totals: Counter[Hashable] = Counter()
    per_item = 0.0
    for labels in items:
        counts = Counter(labels)
        totals.update(counts)
        per_item += (sum(c * c for c in counts.values()) - m) / (m * (m - 1))
    observed = per_item / n
    chance = sum((t / (n * m)) ** 2 for t in totals.values())
    if chance >= 1.0:
        return 1.0
    return (observed - chance) / (1.0 - chance)
