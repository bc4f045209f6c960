"""The revisions of bluekit's schema, in order: `revision` is the schema version as four
digits (0001, 0002...), `down_revision` the one before. A released revision is never edited; a
new one is appended, and named in `bluekit.store.schema.REVISIONS`."""
