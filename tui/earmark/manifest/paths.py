"""Audio paths, manifest files and lexicons: where a manifest may make the tool look.

Audio paths must stay inside the manifest's folder (or --audio-root) after symlinks are
resolved: a manifest must not be able to make the tool read, or reveal the existence of,
files elsewhere on the machine.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from earmark.errors import UserError
from earmark.manifest.fields import BadLine
from earmark.textsafe import clean, clean_words


@dataclass(frozen=True)
class AudioPath:
    path: str  # absolute, symlinks resolved: what the store keeps
    size: int
    mtime_ns: int


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class PathResolver:
    """Resolves manifest audio paths and refuses any that leave the allowed folders."""

    def __init__(self, manifest: Path, audio_root: Path | None = None) -> None:
        self.base = os.path.abspath(manifest.parent)
        self.roots = [os.path.realpath(self.base)]
        self.lexical_roots = [self.base]
        if audio_root is not None:
            self.audio_root: str | None = os.path.abspath(audio_root)
            self.roots.append(os.path.realpath(self.audio_root))
            self.lexical_roots.append(self.audio_root)
        else:
            self.audio_root = None
        self._dirs: dict[str, str] = {}
        where = "the manifest's folder"
        self.where = where + (" and --audio-root" if audio_root is not None else "")

    def _fallbacks(self, audio: str) -> Iterator[str]:
        if os.path.isabs(audio):
            return
        # Common Voice: validated.tsv names files that live in the sibling clips/ folder.
        yield os.path.normpath(os.path.join(self.base, "clips", audio))
        if self.audio_root is not None:
            yield os.path.normpath(os.path.join(self.audio_root, audio))

    def resolve(self, audio: str) -> AudioPath:
        """The checked path of an existing regular file, or BadLine with the reason.

        Fallback locations (Common Voice's clips/, --audio-root) are tried only when the
        plain reading is inside the allowed folders and simply absent: a refused path is
        refused, not reinterpreted.
        """
        primary = os.path.normpath(
            audio if os.path.isabs(audio) else os.path.join(self.base, audio)
        )
        reason = self._try(audio, primary)
        if isinstance(reason, AudioPath):
            return reason
        if reason.startswith("audio file not found"):
            for lexical in self._fallbacks(audio):
                found = self._try(audio, lexical)
                if isinstance(found, AudioPath):
                    return found
        raise BadLine(reason)

    def _real_dir(self, folder: str) -> str:
        """realpath of a folder, memoised: manifests name thousands of files per folder."""
        real = self._dirs.get(folder)
        if real is None:
            if len(self._dirs) > 10_000:
                self._dirs.clear()
            real = self._dirs[folder] = os.path.realpath(folder)
        return real

    def _try(self, audio: str, lexical: str) -> AudioPath | str:
        try:
            if not any(_inside(lexical, r) for r in self.lexical_roots):
                if os.path.isabs(audio):
                    return f"absolute audio path outside {self.where}"
                return f"audio path leads outside {self.where} (`..`)"
            folder, leaf = os.path.split(lexical)
            real = os.path.join(self._real_dir(folder), leaf)
            if not any(_inside(real, r) for r in self.roots):
                return f"audio path is a symlink leading outside {self.where}"
            st = os.lstat(real)
            if stat.S_ISLNK(st.st_mode):
                real = os.path.realpath(real)
                if not any(_inside(real, r) for r in self.roots):
                    return f"audio path is a symlink leading outside {self.where}"
                st = os.stat(real)
        except FileNotFoundError:
            return f"audio file not found: {clean(audio)[:200]}"
        except (OSError, ValueError) as exc:
            return _os_reason(exc)
        if not stat.S_ISREG(st.st_mode):
            return (
                "audio path is a folder"
                if stat.S_ISDIR(st.st_mode)
                else "audio path is not a regular file"
            )
        return AudioPath(real, st.st_size, st.st_mtime_ns)


def _os_reason(exc: Exception) -> str:
    if isinstance(exc, PermissionError):
        return "audio file: permission denied"
    if isinstance(exc, FileNotFoundError):
        return "audio file not found"
    if isinstance(exc, OSError) and exc.strerror:
        return f"audio file: {exc.strerror.lower()}"
    return f"audio path unusable ({exc})"


def validate_manifests(paths: Sequence[Path]) -> None:
    """Whole-command checks before anything is imported: each manifest is a readable file."""
    for p in paths:
        if not p.exists():
            raise UserError(f"manifest {p} not found")
        if p.is_dir():
            raise UserError(f"manifest {p} is a folder, not a file")
        if not p.is_file():
            raise UserError(
                f"manifest {p} is not a regular file (audio paths are relative to its folder)"
            )
        try:
            with open(p, "rb") as fh:
                fh.read(1)
        except OSError as exc:
            raise UserError(f"cannot read manifest {p}: {exc.strerror or exc}") from None


def read_lexicon(path: Path) -> list[str]:
    """Domain terms, one per line; blank lines and `#` comments ignored."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"lexicon {path} not found") from None
    except IsADirectoryError:
        raise UserError(f"lexicon {path} is a folder, not a file") from None
    except OSError as exc:
        raise UserError(f"cannot read lexicon {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(f"lexicon {path}: invalid UTF-8 on line {line}") from None
    terms: list[str] = []
    seen: set[str] = set()
    for raw_line in text.splitlines():
        term = clean_words(raw_line)[:200]
        if term and not term.startswith("#") and term not in seen:
            seen.add(term)
            terms.append(term)
    return terms
