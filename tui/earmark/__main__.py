from earmark.cli import entry

entry()
