"""Names vulture cannot see used (read by `vulture`, see [tool.vulture] in pyproject.toml).

Textual's own hooks and class settings, and the never-called `_conforms` functions that mypy
reads, are ignored by name in pyproject.toml. This file holds the package names that are
used on purpose by tests, benchmarks or scripts only, each with the reason it stays.
"""

from earmark.align.service import CheckService
from earmark.app.widgets.editor import TranscriptInput
from earmark.audio.outputs import DeviceOutput
from earmark.audio.player import Player
from earmark.audio.quiet import is_diverted
from earmark.clock import FakeClock
from earmark.store import SQLiteStore
from earmark.store.gold import GoldMixin
from earmark.store.postgres.gold import PgGoldMixin
from earmark.store.postgres.store import PgStore
from earmark.store.queue import QueueMixin
from earmark.store.records import Clip, Draft, Flag
from earmark.wer import corpus_wer

# The injectable clock's test double: tests and benchmarks move time by hand with it.
FakeClock.advance  # noqa: B018

# Audio diagnostics the tests read to count exactly what was rendered and that a device stream
# really ran, and to check stderr was diverted; no user-facing code needs them.
Player.frames_rendered  # noqa: B018
DeviceOutput.callbacks  # noqa: B018
is_diverted  # noqa: B018

# The store's readers of history, plays and critical clips: the tests hold the store to what
# it recorded through them.
SQLiteStore.revisions  # noqa: B018
SQLiteStore.plays  # noqa: B018
SQLiteStore.critical_clip_ids  # noqa: B018

# Records carry every column of their row, as both backends fill them, read or not.
Clip.submitted_at  # noqa: B018
Draft.updated_at  # noqa: B018
Flag.downgrade_requested_at  # noqa: B018
Flag.downgraded_by  # noqa: B018

# The word error rate computed the slow way: the tests hold the store's maintained parts to it.
corpus_wer  # noqa: B018

# The transcript editor's undoable one-word replacement: part of its editing API (the screen
# now replaces whole texts), kept and tested so a caller can change one word in one step.
TranscriptInput.replace_word  # noqa: B018

# Claims with leases as scripts and the load test use them (tests/bench/bench_load.py,
# tests/test_pg_sqlite_leases.py, tests/pg/): claim the next clip, stop renewing one, ask
# whether one is still held.
PgStore.claim_next  # noqa: B018
PgStore.forget  # noqa: B018
PgStore.holds  # noqa: B018
PgStore.wait_for_work  # noqa: B018
QueueMixin.claim_next  # noqa: B018
QueueMixin.forget  # noqa: B018
QueueMixin.holds  # noqa: B018

# Every finished slot of every clip: what agreement between annotators is computed from, on
# both backends (the tests read it to compare transcripts with what the annotators typed).
SQLiteStore.annotations  # noqa: B018
PgStore.annotations  # noqa: B018
# What the second-pass review (earmark qa) calls: an annotator's own gold figures for their
# feedback screen, and a reviewer's final text for a disputed clip; tests hold both.
GoldMixin.gold_score  # noqa: B018
GoldMixin.set_final  # noqa: B018
PgGoldMixin.gold_score  # noqa: B018
PgGoldMixin.set_final  # noqa: B018

# the check's child process id: tests kill it to prove a dead child costs one check.
CheckService.pids  # noqa: B018
