"""Names vulture cannot see used (read by `vulture`, see [tool.vulture] in pyproject.toml).

Textual's own hooks and class settings are ignored by name in pyproject.toml; this file holds
the few package names that are used, but not by a call vulture can see.
"""

from earmark.audio.outputs import DeviceOutput
from earmark.audio.player import Player
from earmark.audio.quiet import is_diverted
from earmark.clock import FakeClock
from earmark.store.records import Clip, Draft, Flag

# The injectable clock's test double: tests and benchmarks move time by hand with it.
FakeClock.advance  # noqa: B018

# Audio diagnostics the tests read to count exactly what was rendered and that a device stream
# really ran, and to check stderr was diverted; no user-facing code needs them.
Player.frames_rendered  # noqa: B018
DeviceOutput.callbacks  # noqa: B018
is_diverted  # noqa: B018

# The store's readers of history, plays and critical clips: the tests hold the store to what
# it recorded through them; the Protocol conformance checks are read by mypy only.
from earmark.store import SQLiteStore  # noqa: E402
from earmark.store import _conforms as _sqlite_conforms  # noqa: E402

SQLiteStore.revisions  # noqa: B018
SQLiteStore.plays  # noqa: B018
SQLiteStore.critical_clip_ids  # noqa: B018
_sqlite_conforms  # noqa: B018

# Fields of the store's records filled from every row; callers read the ones they need.

# Records carry every column of their row, as both backends fill them, read or not.
Clip.submitted_at  # noqa: B018
Draft.updated_at  # noqa: B018
Flag.downgrade_requested_at  # noqa: B018
Flag.downgraded_by  # noqa: B018

# The word error rate computed the slow way: the tests hold the store's maintained parts to it.
from earmark.wer import corpus_wer  # noqa: E402

corpus_wer  # noqa: B018

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
