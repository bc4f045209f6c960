"""The campaign definition: `campaigns/<year>.yaml` read with the position of every value,
validated into a typed model, its placeholders, and `bluekit init` of next year's file.

Loading (`load`) goes `yaml_source` (safe YAML with positions) -> `model` (the schema, built of
the value types in `fields`) -> `rules` (what the schema cannot say) -> `problems` (each error
with its file, line and a hint). It may import `bluekit.municipalities`, `bluekit.files` and
`bluekit.errors`.
"""
