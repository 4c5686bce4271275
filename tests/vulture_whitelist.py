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

# Records carry every column of their row, as both backends fill them, read or not.
Clip.submitted_at  # noqa: B018
Draft.updated_at  # noqa: B018
Flag.downgrade_requested_at  # noqa: B018
Flag.downgraded_by  # noqa: B018
