"""`earmark listen`: on the annotator's own computer, play what a remote earmark sends.

It prints the lines to copy (the ssh command, and the EARMARK_AUDIO export or the secret file
for the server), then one line per session. Ctrl+C (or SIGTERM) stops it cleanly with exit 0.
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys
from types import FrameType

from earmark.audio.outputs import HINT_PORTAUDIO, NO_PORTAUDIO, open_output
from earmark.audio.remote import DEFAULT_PORT, Listener
from earmark.errors import UserError


def _say(line: str) -> None:
    print(line, flush=True)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    output = open_output("null" if args.output == "null" else None)
    if not output.available:
        fix = HINT_PORTAUDIO if NO_PORTAUDIO in (output.reason or "") else "check the sound device"
        print(
            f"earmark listen: {output.reason}; {fix}, "
            "or run `earmark listen --output null` to test the link without sound",
            file=sys.stderr,
        )
        return 1
    port = DEFAULT_PORT if args.port is None else args.port
    if not 0 <= port <= 65535:
        raise UserError(f"--port {port}: must be between 0 and 65535")
    try:
        try:
            listener = Listener(output, port=port, log=_say)
        except OSError as exc:
            if args.port is not None or exc.errno != errno.EADDRINUSE:
                raise
            _say(f"earmark listen: 127.0.0.1:{port} is in use; using a free port instead")
            listener = Listener(output, port=0, log=_say)
    except OSError as exc:
        output.close()
        raise UserError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc} "
            "(another earmark listen? pass --port N)"
        ) from None
    # Installed explicitly: a listener started from a script may have inherited SIGINT ignored.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for line in listener.instructions(args.socket):
            _say(line)
        listener.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        try:
            listener.close()
            output.close()
        except KeyboardInterrupt:
            pass
    _say("earmark listen: stopped")
    return 0
