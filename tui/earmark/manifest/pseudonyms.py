"""Source ids become keyed pseudonyms; the key lives in a file apart from the database.

A pseudonym is HMAC-SHA256(key, id). Source ids are often guessable (sequence numbers,
dates), so whoever holds the key and the database can test guesses and re-identify clips.
The key is therefore *not* in the database: it is a 0600 file written by the lead who
imports first, beside the database as `DB.key` (or where `$EARMARK_KEY` points). A copy of
the database alone cannot be joined back to the supplier's records.

The database keeps only a fingerprint of the key, so a missing or wrong key file is noticed
instead of silently producing different pseudonyms (which would import every clip twice and
make consent withdrawals unmatchable). A lost key cannot be recovered: clips already imported
keep their names and everything done on them, but re-imports and `earmark purge` can no longer
find them by source id; `import --new-key` starts a new key knowingly.

Databases written before the key moved out kept it in their `meta` table: the first import
moves it to the key file and deletes it from the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Protocol

from earmark.errors import UserError

KEY_ENV = "EARMARK_KEY"
FINGERPRINT_META = "pseudonym_key_fingerprint"
LEGACY_META = "secret"


class MetaStore(Protocol):
    """The two meta calls the key needs from a database."""

    path: Path

    def get_meta(self, key: str, default: str | None = None) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def delete_meta(self, key: str) -> None: ...


def pseudonym(secret: bytes, value: str, *, kind: str = "id") -> str:
    """A clip's public name: keyed, so it reveals nothing without the pseudonym key."""
    # hmac.digest: the one-call C path (an import names a million clips)
    digest = hmac.digest(secret, f"{kind}\0{value}".encode("utf-8", "surrogatepass"), "sha256")
    return "c-" + digest.hex()[:16]


def key_path(db_path: Path | str) -> Path:
    """Where the key of the database at `db_path` lives: $EARMARK_KEY, else `DB.key`."""
    env = os.environ.get(KEY_ENV)
    return Path(env) if env else Path(f"{db_path}.key")


def fingerprint(key: bytes) -> str:
    """Identifies a key without revealing it (a keyed hash of a fixed label)."""
    return hmac.new(key, b"earmark pseudonym key fingerprint", hashlib.sha256).hexdigest()[:16]


def _read(path: Path) -> bytes | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"pseudonym key {path}: cannot read it ({exc})") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise UserError(f"pseudonym key {path} is not a key file (expected 64 hex digits)")
    return key


def _write(path: Path, key: bytes) -> None:
    """Create the key file owner-only, never replacing one that exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UserError(f"pseudonym key {path} appeared while importing; run again") from None
    except OSError as exc:
        raise UserError(f"cannot write pseudonym key {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise UserError(f"cannot write pseudonym key {path}: {exc.strerror or exc}") from None


def load_key(db: MetaStore, *, create: bool = False, new_key: bool = False) -> bytes:
    """The database's pseudonym key, from its key file.

    create: make the key (or move a legacy in-database one out) when there is none yet, as
    the importing lead does. new_key: accept that a known key is lost and start a new one.
    """
    path = key_path(db.path)
    expected = db.get_meta(FINGERPRINT_META)
    key = _read(path)
    if key is not None:
        if expected is not None and fingerprint(key) != expected:
            raise UserError(
                f"pseudonym key {path} is not the key of {db.path} (its fingerprint differs); "
                "restore the right key file"
            )
        if expected is None:
            db.set_meta(FINGERPRINT_META, fingerprint(key))
        return key
    if not create:
        raise UserError(
            f"no pseudonym key at {path}: only the lead who imports keeps it "
            f"(set ${KEY_ENV} to its location)"
        )
    if expected is not None and not new_key:
        raise UserError(
            f"pseudonym key {path} is missing, so clips imported before cannot be matched to "
            "their source ids; restore it, or pass --new-key to start a new one"
        )
    legacy = db.get_meta(LEGACY_META) if expected is None else None
    key = bytes.fromhex(legacy) if legacy else secrets.token_bytes(32)
    _write(path, key)
    db.set_meta(FINGERPRINT_META, fingerprint(key))
    if legacy:
        db.delete_meta(LEGACY_META)
    return key
