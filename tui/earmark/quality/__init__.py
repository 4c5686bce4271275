"""Quality control with no Textual and no store: gold scoring, agreement between annotators,
the rule that picks an overlapped clip's final transcript, and second-pass review (the word
diff and the review sample).

These modules take plain values (texts, names, flag kinds) so their figures can be checked
against hand computations; the store and the commands feed them.
"""
