"""Reading manifests: a manifest comes from outside and is trusted for nothing.

Each line is read on its own so a broken line costs only itself (`readers`); the fields we
keep are an allow-list (`fields`, `records`), so whatever else a supplier put in (account
ids, names, device ids, locations) never gets further than this package, and only its field
*name* is reported. Source ids become keyed pseudonyms whose key lives apart from the
database (`pseudonyms`). Audio paths must stay inside the manifest's folder (`paths`).
"""

from __future__ import annotations

from earmark.manifest.fields import (
    AUDIO_KEYS,
    FALLBACK_GUESS_KEYS,
    GUESS_KEYS,
    KNOWN_KEYS,
    MAX_LINE_BYTES,
    BadLine,
    Record,
)
from earmark.manifest.paths import AudioPath, PathResolver, read_lexicon, validate_manifests
from earmark.manifest.pseudonyms import key_path, load_key, pseudonym
from earmark.manifest.readers import manifest_format, read_delimited, read_jsonl, read_manifest
from earmark.manifest.records import clean_words_list, parse_record, words_from_pocketsphinx

__all__ = [
    "AUDIO_KEYS",
    "FALLBACK_GUESS_KEYS",
    "GUESS_KEYS",
    "KNOWN_KEYS",
    "MAX_LINE_BYTES",
    "AudioPath",
    "BadLine",
    "PathResolver",
    "Record",
    "clean_words_list",
    "key_path",
    "load_key",
    "manifest_format",
    "parse_record",
    "pseudonym",
    "read_delimited",
    "read_jsonl",
    "read_lexicon",
    "read_manifest",
    "validate_manifests",
    "words_from_pocketsphinx",
]
