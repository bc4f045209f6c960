"""Publishing the built kit where partners pick it up: a Trello board (`trello_*`) and a folder
that a web server or a SharePoint/OneDrive sync folder serves (`folder`, `site_links`).

It publishes what `bluekit build` made, and only when that is up to date with the campaign
(`kit_files`); it renders nothing itself. May import `kit` and the layers below it (the
campaign, the pipeline's manifest, the store that keeps what was put on Trello, files).
"""
