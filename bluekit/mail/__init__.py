"""E-mail out and in: building messages as planned outputs (`message`), the SMTP connection
(`smtp`), sending them safely with a dry run, a limit, a rate and retries (`sender`), the
send journal that makes a message go out once (`journal`), the Microsoft 365 sign-in with
OAuth and its token cache (`oauth`, `token_cache`), and reading a mailbox over IMAP (`imap`).

It may import `bluekit.store`, `bluekit.pipeline`, `bluekit.files` and `bluekit.errors`; it
knows nothing of campaigns or orders.
"""
