"""Where the Player's frames go: a sound device, nowhere (but counted), or a remote listener.

`base` holds the Output interface, the null output and the one-line failure vocabulary;
`device` the PortAudio device. The remote listener's output lives in `earmark.audio.remote`.
"""

from earmark.audio.outputs.base import (
    HINT_PORTAUDIO,
    HINT_SSH,
    NO_PORTAUDIO,
    RENDER_ERRORS,
    NoAudio,
    NullOutput,
    Output,
    Source,
    UnavailableOutput,
    default_output_device,
    hint_for,
    import_sounddevice,
    one_line,
)
from earmark.audio.outputs.device import DeviceOutput, Resampler
from earmark.clock import SYSTEM, Clock

__all__ = [
    "HINT_PORTAUDIO",
    "HINT_SSH",
    "NO_PORTAUDIO",
    "RENDER_ERRORS",
    "DeviceOutput",
    "NoAudio",
    "NullOutput",
    "Output",
    "Resampler",
    "Source",
    "UnavailableOutput",
    "default_output_device",
    "hint_for",
    "import_sounddevice",
    "one_line",
    "open_output",
]


def open_output(kind: str | None = None, *, clock: Clock = SYSTEM) -> Output:
    """The local output: 'null', or the default device ('device'/None). Never raises."""
    if kind == "null":
        return NullOutput(clock)
    try:
        return DeviceOutput(clock)
    except NoAudio as exc:
        return UnavailableOutput(f"no audio: {exc}", clock)
