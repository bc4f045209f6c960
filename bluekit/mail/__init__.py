"""E-mail out: building messages (`message`), sending them safely over SMTP with a dry run,
a limit, a rate and retries (`sender`), and the send journal that makes a message go out once.

It may import `bluekit.store`, `bluekit.pipeline`, `bluekit.files` and `bluekit.errors`; it
knows nothing of campaigns or orders.
"""
