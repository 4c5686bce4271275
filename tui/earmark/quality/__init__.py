"""Quality control over submitted work: gold clips, agreement, second-pass review. No Textual."""
