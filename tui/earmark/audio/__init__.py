"""The audio engine: decode, stretch, waveform, playback. Usable without the TUI.

Nothing in this package imports Textual; sounddevice is imported lazily so that a machine
without PortAudio (a headless server) still runs everything else.
"""

import numpy as np

from earmark.audio.decode import AudioError, AudioInfo, load, probe

__all__ = ["AudioError", "AudioInfo", "load", "probe", "time_stretch"]


def time_stretch(samples: np.ndarray, samplerate: int, speed: float) -> np.ndarray:
    """Change speed, keeping pitch: length about len(samples) / speed, speed 0.5 to 2.0."""
    from earmark.audio.stretch import time_stretch as _ts

    return _ts(samples, samplerate, speed)
