"""earmark: check speech-recognition output by ear, one key per action."""

__version__ = "0.1.0"
