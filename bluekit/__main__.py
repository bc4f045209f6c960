"""The `bluekit` command (and `python -m bluekit`): loads the command-line interface and runs it."""

import sys


def main() -> None:
    """Entry point of the `bluekit` command. A Ctrl-C while the command is still loading (its
    first few tenths of a second) ends it as quietly as one during its work does."""
    try:
        from bluekit.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
