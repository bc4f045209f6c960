"""The link check: every web address the campaign prints, posts, mails or mentions, gathered
with where it is used (`collect`), asked for online with retries and a deadline (`http`,
`check`, both reading `settings`), and reported (`report`).

It may import `bluekit.kit` (to know what the posters print), `bluekit.campaign` and below.
"""
