"""bluekit: the campaign toolkit of the Belgian Blue Heart Campaign against human trafficking.

The packages follow the data path (see docs/architecture.md): `campaign` (the campaign file and
its model) -> `kit` (what the campaign sends out, as planned outputs) -> `pipeline` (rendering
and writing them) -> files and a manifest; `mail` and `ledger` beside it, with `store`, their
database; `cli` on top. Importing this package loads nothing else.
"""

# The one place the version is written (pyproject.toml reads it from here): a constant, as
# asking the installed metadata for it costs a twentieth of a second at every command.
__version__ = "0.1.0"
