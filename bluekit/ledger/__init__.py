"""What comes back, kept in the store: the lighting replies of the municipalities, the orders of
posters, pins and brochures (intake from e-mails, Outlook files, the orders mailbox and CSV, the
review list, their statuses), the replies to invitations found in the mailbox, the
stock, and the reports and documents made from them.

It may import `bluekit.kit` (for the order form's wording and documents), `bluekit.mail`,
`bluekit.store`, `bluekit.campaign` and below; never `bluekit.links` or the CLI.
"""
