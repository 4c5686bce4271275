"""Through the real annotator in tmux: the second listen. earmark decodes the open clip
itself, and once it has, a letter typed in place of a misheard word offers what the audio
supports there: on the demo's eighth clip ("reminds me that was a sad sad to see em", said
"remind me to water the plants at six p m"), `w` in place of "was" offers "water" first."""

from __future__ import annotations

from tests.speech import needs_pocketsphinx
from tests.support import demo_at_clip, needs_tmux, suggestion_bar

pytestmark = [needs_tmux, needs_pocketsphinx]


def test_the_word_heard_there_is_the_first_slot(term):
    demo_at_clip(term, 8)
    term.wait_for("reminds me that was a sad sad to see em")
    term.keys("Home")
    for _ in range(4):
        term.keys("C-Right")  # to the end of "was", word by word
    term.keys("C-w")
    term.keys("w", literal=True)
    term.wait_for("reminds me that w a sad")
    # the slots follow the letter at once; the listen (a few seconds of decoding, in its
    # own process) puts "water" first when it comes in
    screen = term.wait_until(
        lambda s: suggestion_bar(s).split()[1:2] == ["water"], "'water' in the first slot", 60
    )
    assert "reminds me that w a sad" in screen
    term.keys("Tab")
    term.wait_for("reminds me that water a sad")
    term.keys("C-q")
    term.wait_dead()
