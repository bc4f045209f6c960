"""The output pipeline: planned files in, rendered files and a manifest out.

Generators describe the files they want as `PlannedOutput`s (`jobs`); `outputs.write_outputs`
renders them with Typst (`render`, `raster`; a print PDF finished by `print_pdf`,
`print_inks` and `output_intent`) or takes what Jinja2 made (`jinja_templates`), in a pool of
processes (`pool`, `scheduler`), writes each atomically and records it in the manifest
(`writer`, `manifest`), so a second run with nothing changed renders nothing. It knows nothing
of campaigns: it may import `bluekit.files` and `bluekit.errors` only.
"""
