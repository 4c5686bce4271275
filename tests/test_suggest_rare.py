"""English words past the main index (`rare`): offered once three letters are typed, below
the known words, and read back from the user's cache exactly as built."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earmark.suggest import Suggester
from earmark.suggest import rare as rare_mod
from earmark.suggest.rare import RARE_FROM, RareWords

# In order of frequency, the most frequent first, as wordfreq lists them.
WORDS = ["prudish", "prudently", "dashwood", "Zygmunt", "prudhomme", "ﷺ", "ﾟ", "café"]


def test_completions_are_the_most_frequent_first():
    rare = RareWords.of(WORDS)
    assert [k for k, _, _ in rare.completions("prud", 5)] == ["prudish", "prudently", "prudhomme"]
    assert [k for k, _, _ in rare.completions("prud", 2)] == ["prudish", "prudently"]
    assert rare.completions("xyz", 5) == []


def test_words_that_fold_to_nothing_or_to_several_words_are_left_out():
    rare = RareWords.of(WORDS)
    assert len(rare) == len(WORDS) - 2
    shown = {w for k in ("z", "c") for _, w, _ in rare.completions(k, 9)}
    assert shown == {"Zygmunt", "café"}  # found by the folded key, shown as spelled


def test_the_cached_form_reads_back_exactly():
    rare = RareWords.of(WORDS)
    back = RareWords.loads(rare.dumps())
    assert back is not None
    for frag in ("p", "prud", "d", "z", "caf"):
        assert back.completions(frag, 9) == rare.completions(frag, 9)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), max_size=40), st.data())
def test_any_list_reads_back_whole_or_not_at_all(words, data):
    rare = RareWords.of(words)
    text = rare.dumps()
    back = RareWords.loads(text)
    assert back is not None
    frags = {k[:n] for k, _, _ in rare.completions("", 99) for n in (1, 2)} | {""}
    for frag in frags:
        assert back.completions(frag, 99) == rare.completions(frag, 99)
    cut = data.draw(st.integers(0, max(0, len(text) - 1)))
    assert RareWords.loads(text[:cut]) is None


@pytest.mark.parametrize("cut", [0, 10, 40, -3])
def test_a_cache_cut_short_is_not_read_as_the_list(cut):
    text = RareWords.of(WORDS).dumps()
    assert RareWords.loads(text[:cut]) is None


@pytest.mark.parametrize("hostile", ["\x1b[2J", "two words", "\u202eevil", "a\tb"])
def test_a_cache_holding_control_characters_or_spaces_is_not_read(hostile):
    """Whatever was written into the user's cache, a suggestion is one printable word."""
    text = RareWords.of(["prudish", "prudently", "Zygmunt"]).dumps()
    assert RareWords.loads(text) is not None and "\tZygmunt" in text
    assert RareWords.loads(text.replace("prudently", hostile[:9].ljust(9, "x"))) is None
    assert RareWords.loads(text.replace("\tZygmunt", f"\t{hostile}")) is None


def test_a_broken_cache_file_is_rebuilt(tmp_path, monkeypatch):
    path = tmp_path / "rare.txt"
    path.write_text("half a list\n\x1e\n", encoding="utf-8")
    monkeypatch.setattr(rare_mod, "cache_file", lambda name: path)
    monkeypatch.setattr(rare_mod, "top_words", lambda n: ["known"] * 3 + WORDS)
    got = rare_mod.load(3)
    assert [k for k, _, _ in got.completions("dash", 5)] == ["dashwood"]
    assert RareWords.loads(path.read_text(encoding="utf-8")) is not None  # written whole


@pytest.fixture(scope="module")
def sugg() -> Suggester:
    s = Suggester()
    s.load_phonetic()
    assert s.rare is not None and len(s.rare) > 50_000
    return s


def texts(s: Suggester, frag: str, **kw: object) -> list[str]:
    return [x.text.lower() for x in s.suggest(frag, **kw)]  # type: ignore[arg-type]


def test_a_word_past_the_english_list_is_offered_before_its_last_letter(sugg):
    assert "dashwood" in texts(sugg, "dashw")
    assert "prudently" in texts(sugg, "prudent")
    assert "prudently" not in texts(Suggester(), "prudent", limit=50)  # without rare words


def test_rare_words_wait_for_the_letters_that_narrow_them(sugg):
    assert RARE_FROM == 3
    assert sugg.rare is not None
    for frag in ("d", "da"):
        rare = {k for k, _, _ in sugg.rare.completions(frag, 50)}
        assert not rare & set(texts(sugg, frag, limit=50))


def test_a_known_word_that_completes_as_well_ranks_first(sugg):
    got = texts(sugg, "prude", limit=8)
    assert got.index("prudently") > max(got.index("prudent"), got.index("prudence"))


def test_a_lexicon_word_is_known_not_rare():
    s = Suggester(lexicon=["Dashwood"])
    s.load_phonetic()
    got = [x.text for x in s.suggest("dashw")]
    assert got[0] == "Dashwood" and "dashwood" not in got
