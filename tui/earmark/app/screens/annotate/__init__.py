"""The annotate screen and its parts: screen (draws, routes keys), actions (what the keys
do), workers (the slow and durable steps, off the UI thread), messages (what workers report),
suggestions, sensitive (flags, escalations, breaks), deps (what the app hands it)."""

from earmark.app.screens.annotate.deps import AnnotateDeps
from earmark.app.screens.annotate.screen import AnnotateScreen

__all__ = ["AnnotateDeps", "AnnotateScreen"]
