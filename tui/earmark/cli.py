"""The `earmark` command line: argument parsing and error discipline, nothing more.

Each command's work lives in `earmark/commands/<name>.py` as `run(args) -> int` and is imported
only when that command runs, so `earmark stats` never pays for Textual or PortAudio.
A UserError becomes one line on stderr and exit 2; any other exception is logged in full
to a file and reported in one line: a user never sees a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys
import time
import traceback
from typing import NoReturn

from earmark.commands import figures_cli, parsers, qa
from earmark.commands.asr import add_arguments as add_asr_arguments
from earmark.errors import UserError
from earmark.textsafe import InertWriter, clean

PROG = "earmark"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, no usage dump
        self.exit(2, f"{PROG}: {clean(message)} (see `{self.prog} --help`)\n")


def _add_db(p: argparse.ArgumentParser, nested: bool = False) -> None:
    # nested (an action under a command that has --db too): SUPPRESS, so that
    # `earmark escalations --db X ack 1` keeps X instead of the sub-parser's default.
    p.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS if nested else None,
        help="database file (default: $EARMARK_DB, else ./earmark.db)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Check speech-recognition output by ear.")
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    from earmark.commands import batch  # the batch flags and command: light to import

    def cmd(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        _add_db(p)
        return p

    p = cmd("demo", "open the annotator on the bundled demo clips, in a fresh workspace")
    p.add_argument("--keymap", metavar="NAME_OR_FILE")
    p.add_argument("--user", metavar="NAME")
    p.add_argument(
        "--audio",
        metavar="URL",
        help="send audio to an `earmark listen` at tcp://127.0.0.1:PORT, no secret here "
        "(the secret: $EARMARK_AUDIO or ~/.earmark/audio.secret)",
    )
    p.add_argument("--no-autoplay", action="store_true", help="do not play each clip on arrival")
    p.add_argument(
        "--reset", action="store_true", help="start the demo afresh (drops demo progress)"
    )

    p = cmd("import", "add clips from JSONL, NeMo or CSV/TSV manifests")
    p.add_argument("manifests", nargs="+", metavar="MANIFEST")
    p.add_argument("--lexicon", metavar="FILE", help="domain terms for suggestions, one per line")
    p.add_argument("--batch", metavar="NAME", help="batch name (default: the manifest's file name)")
    p.add_argument("--audio-root", metavar="DIR", help="audio paths may resolve anywhere under DIR")
    p.add_argument("--user", metavar="NAME", help="act as NAME (default: your login name)")
    p.add_argument(
        "--require-consent", action="store_true", help="a line without review_allowed is excluded"
    )
    p.add_argument(
        "--new-key", action="store_true", help="the pseudonym key is lost: start a new one"
    )
    batch.add_flags(p)

    p = cmd("init", "create the project database (or migrate it) and name yourself its lead")
    p.add_argument("--user", metavar="NAME", help="act as NAME (default: your login name)")

    p = cmd("purge", "remove clips whose consent was withdrawn, and everything derived (leads)")
    p.add_argument(
        "--ids",
        metavar="FILE",
        required=True,
        help="source ids as in the manifests, one per line (# comments and blank lines ignored)",
    )
    p.add_argument("--user", metavar="NAME", help="act as NAME (default: your login name)")

    p = cmd("annotate", "the annotator: listen, correct, flag")
    p.add_argument("--keymap", metavar="NAME_OR_FILE")
    p.add_argument("--user", metavar="NAME")
    p.add_argument(
        "--audio",
        metavar="URL",
        help="send audio to an `earmark listen` at tcp://127.0.0.1:PORT, no secret here "
        "(the secret: $EARMARK_AUDIO or ~/.earmark/audio.secret)",
    )
    p.add_argument("--no-autoplay", action="store_true", help="do not play each clip on arrival")

    p = cmd("review", "the reviewer's queue of escalations")
    p.add_argument("--user", metavar="NAME")
    p.add_argument("--keymap", metavar="NAME_OR_FILE")
    p.add_argument(
        "--audio",
        metavar="URL",
        help="send audio to an `earmark listen` at tcp://127.0.0.1:PORT, no secret here "
        "(the secret: $EARMARK_AUDIO or ~/.earmark/audio.secret)",
    )

    parsers.export(cmd("export", "write results"))
    parsers.agreement(cmd("agreement", parsers.AGREEMENT))

    add_asr_arguments(cmd("asr", "offline first guesses for clips without one (leads)"))
    figures_cli.add(cmd)  # stats, report

    p = cmd("escalations", "list escalations, or act on one")
    p.add_argument("--json", action="store_true")
    p.add_argument("--overdue", action="store_true", help="only overdue ones; exit 1 if any")
    p.add_argument("--user", metavar="NAME")
    esub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    a = esub.add_parser("ack", help="acknowledge an escalation")
    a.add_argument("id", metavar="ID")
    _add_db(a, nested=True)
    a.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS)
    r = esub.add_parser("resolve", help="resolve an escalation with an outcome")
    r.add_argument("id", metavar="ID")
    r.add_argument(
        "--outcome",
        required=True,
        metavar="OUTCOME",
        help="no_action, false_alarm, referred_safety_team or referred_law_enforcement",
    )
    r.add_argument("--note", metavar="TEXT", default="")
    _add_db(r, nested=True)
    r.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS)
    c = esub.add_parser("confirm", help="second reviewer confirms a referral or downgrade")
    c.add_argument("id", metavar="ID")
    _add_db(c, nested=True)
    c.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS)

    p = cmd("audit", "the tamper-evident log")
    asub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser, required=True)
    v = asub.add_parser(
        "verify", help="exit 0 when the chain is intact, else 1 naming the first bad entry"
    )
    v.add_argument(
        "--head",
        metavar="SEQ:HASH",
        help="also check against a head recorded earlier (catches truncation)",
    )
    _add_db(v, nested=True)
    h = asub.add_parser("head", help="print the sequence number and hash of the newest entry")
    _add_db(h, nested=True)

    p = cmd("roles", "who is annotator, reviewer or lead")
    p.add_argument("--user", metavar="NAME", help="act as NAME (default: your login name)")
    rsub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    g = rsub.add_parser("grant", help="give USER a ROLE (leads only)")
    g.add_argument("user_name", metavar="USER")
    g.add_argument("role", metavar="ROLE", help="annotator, reviewer or lead")
    _add_db(g, nested=True)
    g.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="act as NAME (default: your login name)",
    )

    p = cmd("wellbeing", "exposure limits and break text (leads set them), and your opt-outs")
    p.add_argument("--soft", type=float, metavar="MINUTES", help="lead: soft daily exposure limit")
    p.add_argument(
        "--hard",
        type=float,
        metavar="MINUTES",
        help="lead: hard limit, after which flagged clips are routed away",
    )
    p.add_argument("--break-text", metavar="TEXT", help="lead: what the break screen says")
    p.add_argument(
        "--opt-out",
        metavar="CATEGORY",
        action="append",
        default=[],
        help="do not give me clips flagged with CATEGORY (no reason needed)",
    )
    p.add_argument("--opt-in", metavar="CATEGORY", action="append", default=[])
    p.add_argument("--user", metavar="NAME")
    p.add_argument("--json", action="store_true")

    p = cmd("audio-test", "play a short tone and say whether it worked")
    p.add_argument(
        "--audio",
        metavar="URL",
        help="test an `earmark listen` relay at tcp://127.0.0.1:PORT, no secret here "
        "(the secret: $EARMARK_AUDIO or ~/.earmark/audio.secret)",
    )

    p = cmd("listen", "on your own computer: play audio a remote earmark sends over SSH")
    p.add_argument(
        "--port",
        type=int,
        default=None,
        metavar="N",
        help="port on 127.0.0.1 (default 47311; 0 picks a free one)",
    )
    p.add_argument(
        "--output",
        choices=("device", "null"),
        default="device",
        help="null: discard but count frames, for diagnosis",
    )
    p.add_argument("--socket", metavar="PATH", help="also say how to forward to this Unix socket")
    batch.add_parser(sub, _add_db)
    qa.add_arguments(cmd("qa", qa.HELP), _Parser, _add_db)
    p = sub.add_parser(
        "migrate",
        help="copy a SQLite project to PostgreSQL, audit chain intact",
        description="copy a SQLite project to PostgreSQL, audit chain intact",
    )
    p.add_argument("--from", dest="source", metavar="FILE.db", required=True)
    p.add_argument("--to", metavar="URL", required=True, help="postgresql://... or conninfo")
    check = importlib.import_module("earmark.commands.check")  # its flags live with it
    check.add_arguments(cmd("check", "acoustic check: words of submitted clips the audio lacks"))

    return parser


COMMANDS = {
    "demo": "earmark.commands.annotate:run_demo",
    "annotate": "earmark.commands.annotate:run",
    "review": "earmark.commands.review:run",
    "import": "earmark.commands.importing:run",
    "init": "earmark.commands.init:run",
    "purge": "earmark.commands.purge:run",
    "export": "earmark.commands.exporting:run",
    "agreement": "earmark.commands.agreement:run",
    "stats": "earmark.commands.stats:run",
    "asr": "earmark.commands.asr:run",
    "report": "earmark.commands.report:run",
    "escalations": "earmark.commands.escalations:run",
    "audit": "earmark.commands.audit:run",
    "roles": "earmark.commands.roles:run",
    "wellbeing": "earmark.commands.wellbeing:run",
    "audio-test": "earmark.commands.audio_test:run",
    "listen": "earmark.commands.listen:run",
    "migrate": "earmark.commands.migrate:run",
    "batch": "earmark.commands.batch:run",
    "check": "earmark.commands.check:run",
    "qa": "earmark.commands.qa:run",
}


def _version() -> str:
    from earmark import __version__

    return __version__


# Full-screen commands drive the terminal themselves; every other command's stdout is
# passed through textsafe.inert, so no stored text (a user name, a file name, a note) can
# act on the terminal of whoever runs it.
FULL_SCREEN = frozenset({"demo", "annotate", "review", "qa"})

# SQLite errors that describe the machine, not a bug: one line, exit 2.
_ENVIRONMENT_ERRORS = (
    "readonly",
    "read-only",
    "unable to open",
    "disk is full",
    "disk i/o",
    "locked",
    "no such file",
)


def _log_crash() -> str:
    """The traceback in a file only its owner can read: it may quote clip text or paths."""
    from earmark.config import state_dir

    try:
        folder = state_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
        return str(path)
    except OSError:
        return "(could not write a crash log)"


def _database_problem(exc: sqlite3.Error, args: argparse.Namespace) -> str | None:
    """One line for a database the machine will not let us use, else None (a bug)."""
    text = str(exc)
    if not any(word in text.lower() for word in _ENVIRONMENT_ERRORS):
        return None
    from earmark.config import db_path

    db = db_path(getattr(args, "db", None))
    if "readonly" in text.lower() or "read-only" in text.lower():
        return (
            f"database {db} is read-only for you ({text}); "
            "ask for write access to it and its folder"
        )
    return f"database {db}: {text}"


def _refuse_user_on_postgres(args: argparse.Namespace) -> None:
    """On PostgreSQL the user is whoever PostgreSQL authenticated: --user cannot change it."""
    if not getattr(args, "user", None):
        return
    from earmark.config import db_path
    from earmark.store.postgres.target import is_postgres

    if is_postgres(db_path(getattr(args, "db", None))):
        raise UserError(
            "--user is refused on PostgreSQL: you act as the login PostgreSQL authenticated"
        )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    stdout = sys.stdout
    if args.command not in FULL_SCREEN and not isinstance(stdout, InertWriter):
        sys.stdout = InertWriter(stdout)
    try:
        return _run(args)
    finally:
        sys.stdout = stdout


def _run(args: argparse.Namespace) -> int:
    """Run the command: UserError and environmental database errors become one line."""
    module_name, func_name = COMMANDS[args.command].split(":")
    try:
        _refuse_user_on_postgres(args)
        func = getattr(importlib.import_module(module_name), func_name)
        return int(func(args) or 0)
    except UserError as exc:
        print(f"{PROG}: {_one_line(exc)}", file=sys.stderr)
        return 2
    except sqlite3.Error as exc:
        problem = _database_problem(exc, args)
        if problem is None:
            return _internal(exc)
        print(f"{PROG}: {clean(problem)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `earmark export | head`: the reader left; that is not an error of ours.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return 0
    except Exception as exc:  # noqa: BLE001  (our bug: log it whole, tell the user one line)
        return _internal(exc)


def _one_line(exc: Exception) -> str:
    text = clean(str(exc).splitlines()[0]) if str(exc) else ""
    return text or "error"


def _internal(exc: Exception) -> int:
    where = _log_crash()
    print(
        f"{PROG}: internal error: {type(exc).__name__}: {_one_line(exc)} (details in {where})",
        file=sys.stderr,
    )
    return 1


def entry() -> None:
    from earmark.process_limits import limit_process

    limit_process()
    sys.exit(main())


if __name__ == "__main__":
    entry()
