"""E-mail out: building messages as planned outputs (`message`), the SMTP connection
(`smtp`), sending them safely with a dry run, a limit, a rate and retries (`sender`), and the
send journal that makes a message go out once (`journal`).

It may import `bluekit.store`, `bluekit.pipeline`, `bluekit.files` and `bluekit.errors`; it
knows nothing of campaigns or orders.
"""
