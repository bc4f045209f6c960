"""The output pipeline: planned files in, rendered files and a manifest out.

Generators describe the files they want as `PlannedOutput`s (`jobs`); the pipeline renders them
with Typst (`render`) or Jinja2 (`jinja_templates`) in a pool of processes (`pool`), writes each
atomically and records it in the manifest (`outputs`, `manifest`), so a second run with nothing
changed renders nothing. It knows nothing of campaigns: it may import `bluekit.files` and
`bluekit.errors` only.
"""
