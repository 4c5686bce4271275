"""The tamper-evident audit log: canonical encoding, hashing and verification.

Each entry carries the hash of the entry before it, and its own hash is SHA-256 over a
canonical JSON encoding of all its fields (prev_hash included). Editing, deleting, inserting
or reordering entries therefore breaks the chain at the first entry touched, and `verify`
names it. What a chain cannot show on its own is entries cut off the end (or a whole chain
rewritten by someone with write access to the file): only a head (seq and hash) recorded
elsewhere, checked with `verify(..., expect=...)`, catches that.

No audio and no transcript text ever enter the log: `check_detail` refuses the field names
that would carry them, so a careless caller fails loudly in tests instead of leaking.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
# Field names whose values would be transcript text, free-form notes or audio.
FORBIDDEN_DETAIL_KEYS = frozenset(
    {"text", "transcript", "asr", "note", "notes", "audio", "samples", "words", "source_id"}
)


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    actor: str
    action: str
    clip: str | None
    detail: str  # canonical JSON text, exactly as stored
    prev_hash: str
    hash: str

    def fields(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "clip": self.clip,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
        }


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    bad_seq: int | None = None
    reason: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS

    def message(self) -> str:
        if self.ok:
            return (
                f"audit log intact: {self.entries} entries, head {self.head_seq} {self.head_hash}"
            )
        return f"audit log broken at entry {self.bad_seq}: {self.reason}"


def canonical(obj: object) -> str:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )


def entry_hash(fields: Mapping[str, object]) -> str:
    """SHA-256 over the canonical encoding of every field except the hash itself."""
    return hashlib.sha256(canonical(dict(fields)).encode("ascii")).hexdigest()


def check_detail(detail: Mapping[str, Any] | None) -> str:
    """The canonical JSON for `detail`; refuses keys that would carry text or audio."""
    detail = dict(detail or {})
    bad = sorted(k for k in detail if str(k).lower() in FORBIDDEN_DETAIL_KEYS)
    if bad:
        raise ValueError(
            f"audit detail may not carry {', '.join(bad)} (no text or audio in the log)"
        )
    for value in detail.values():
        if isinstance(value, bytes | bytearray | memoryview):
            raise ValueError("audit detail may not carry binary data")
    return canonical(detail)


def timestamp(now: float) -> str:
    return (
        dt.datetime.fromtimestamp(now, dt.UTC)
        .isoformat(timespec="microseconds")
        .replace("+00:00", "Z")
    )


def make_entry(
    prev: Entry | None,
    *,
    now: float,
    actor: str,
    action: str,
    clip: str | None,
    detail: Mapping[str, Any] | None,
) -> Entry:
    unhashed = Entry(
        seq=(prev.seq + 1) if prev else 1,
        at=timestamp(now),
        actor=str(actor),
        action=str(action),
        clip=clip,
        detail=check_detail(detail),
        prev_hash=prev.hash if prev else GENESIS,
        hash="",
    )
    return dataclasses.replace(unhashed, hash=entry_hash(unhashed.fields()))


def parse_head(text: str) -> tuple[int, str]:
    """'SEQ:HASH' (as `earmark audit head` prints it) -> (seq, hash); ValueError if malformed."""
    seq, sep, digest = text.strip().replace(" ", ":", 1).partition(":")
    digest = digest.strip().lower()
    if (
        not sep
        or not seq.isdigit()
        or len(digest) != 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise ValueError(f"{text!r} is not SEQ:HASH (as `earmark audit head` prints it)")
    return int(seq), digest


def verify(entries: Iterable[Entry], expect: tuple[int, str] | None = None) -> Verdict:
    """Walk the chain in seq order; the verdict names the first entry that does not fit.

    `expect` is a head recorded earlier: that entry must still exist with that hash, which
    also catches entries removed from the end."""
    prev: Entry | None = None
    count = 0
    seen_expected = expect is None
    for e in entries:
        count += 1
        want_seq = prev.seq + 1 if prev else 1
        if entry_hash(e.fields()) != e.hash:
            return Verdict(False, count, e.seq, "its contents do not match its hash (edited)")
        if e.seq != want_seq:
            what = "missing" if e.seq > want_seq else "repeated or out of order"
            return Verdict(
                False,
                count,
                e.seq,
                f"expected entry {want_seq} here: entries {what} (deleted, inserted or reordered)",
            )
        if e.prev_hash != (prev.hash if prev else GENESIS):
            return Verdict(
                False,
                count,
                e.seq,
                f"it does not follow entry {want_seq - 1} "
                "(an entry was deleted, inserted or reordered)",
            )
        if expect is not None and e.seq == expect[0]:
            if e.hash != expect[1]:
                return Verdict(
                    False,
                    count,
                    e.seq,
                    "its hash differs from the recorded head (the log was rewritten)",
                )
            seen_expected = True
        prev = e
    if expect is not None and not seen_expected:
        return Verdict(
            False,
            count,
            expect[0],
            f"the recorded head {expect[0]} is gone: the log was truncated to "
            f"{prev.seq if prev else 0} entries",
        )
    return Verdict(
        True, count, head_seq=prev.seq if prev else 0, head_hash=prev.hash if prev else GENESIS
    )
