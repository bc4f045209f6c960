"""`python -m bluekit` runs the command-line interface."""

from .cli import main

main()
