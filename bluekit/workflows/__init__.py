"""The jobs staff run, end to end, as one public function each: build the complete kit (with
the link check when asked), send the invitations and reminders, publish the built kit on
Trello or in a web folder.

They tie the stages together, so they may import any package but the CLI.
"""
