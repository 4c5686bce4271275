"""Names vulture cannot see used (read by `vulture`, see [tool.vulture] in pyproject.toml).

Textual's own hooks and class settings are ignored by name in pyproject.toml; this file holds
the few package names whose only callers are the tests, on purpose.
"""

from earmark.clock import FakeClock

# The injectable clock's test double: tests and benchmarks move time by hand with it.
FakeClock.advance  # noqa: B018
