"""Invitations to light a building blue on 30 July: campaign + contacts -> planned letters,
calendar files and e-mails, one folder per municipality, and an overview of them all.

`dist/<year>/invitations/<refnis>-<name>/` holds a letter PDF per language the municipality is
addressed in, `blue-heart-<year>.ics` (30 July, with a reminder the day before) and
`message.eml`, the e-mail that `bluekit invitations send` sends as it is. `plan` ties the parts
together: who is invited (`invitees`), their words (`texts`), the `letters`, the `calendar_file`,
the `email_message` and the `overview`. Like the rest of the kit, it may use `bluekit.mail`,
`bluekit.campaign`, `bluekit.municipalities`, `bluekit.pipeline` and `bluekit.files`.
"""
