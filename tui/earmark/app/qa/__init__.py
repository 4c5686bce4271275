"""`earmark qa`, the second-pass review TUI: its app, forms, keys and diff view."""
