"""Names vulture cannot see used (read by `vulture`, see [tool.vulture] in pyproject.toml).

Textual's own hooks and class settings are ignored by name in pyproject.toml; this file holds
the few package names whose only callers are the tests, on purpose.
"""

from earmark.clock import FakeClock

# The injectable clock's test double: tests and benchmarks move time by hand with it.
FakeClock.advance  # noqa: B018

# Audio diagnostics the tests read to count exactly what was rendered and that a device stream
# really ran, and to check stderr was diverted; no user-facing code needs them.
from earmark.audio.outputs import DeviceOutput  # noqa: E402
from earmark.audio.player import Player  # noqa: E402
from earmark.audio.quiet import is_diverted  # noqa: E402

Player.frames_rendered  # noqa: B018
DeviceOutput.callbacks  # noqa: B018
is_diverted  # noqa: B018

# The transcript editor's undoable one-word replacement: part of its editing API (the screen
# now replaces whole texts), kept and tested so a caller can change one word in one step.
from earmark.app.widgets.editor import TranscriptInput  # noqa: E402

TranscriptInput.replace_word  # noqa: B018

# Claims with leases as scripts and the load test use them (tests/bench/bench_load.py,
# tests/test_pg_sqlite_leases.py, tests/pg/): claim the next clip, stop renewing one, ask
# whether one is still held.
from earmark.store.postgres.store import PgStore  # noqa: E402
from earmark.store.queue import QueueMixin  # noqa: E402

PgStore.claim_next  # noqa: B018
PgStore.forget  # noqa: B018
PgStore.holds  # noqa: B018
PgStore.wait_for_work  # noqa: B018
QueueMixin.claim_next  # noqa: B018
QueueMixin.forget  # noqa: B018
QueueMixin.holds  # noqa: B018
