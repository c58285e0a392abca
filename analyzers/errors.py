"""The one exception for user mistakes: the CLI prints its message on one line and exits 2."""


class InputError(Exception):
    """Bad input from the user (missing path, unreachable database, bad option): not a bug."""
