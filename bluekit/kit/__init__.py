"""What the campaign sends out, as planned outputs: posters, social-media kits, the profile
frame, letters and e-mails of the invitations, the order form, a ZIP per language and the gallery
page; with the brand (colours, type) and the platforms' formats they follow.

Each generator turns the campaign model into `PlannedOutput`s for the pipeline and writes
nothing itself. It may import `bluekit.mail` (to build e-mails), `bluekit.campaign`,
`bluekit.municipalities`, `bluekit.pipeline` and `bluekit.files`; never the ledger.
"""
