"""The one exception type that the CLI turns into a single line on stderr and exit 2.

Anything raised as UserError is the user's to fix (a bad path, a bad flag value), so its
message must name the problem in plain words; everything else is our bug and is logged.
"""


class UserError(Exception):
    """A problem the user can fix; the message is shown as-is, on one line."""
