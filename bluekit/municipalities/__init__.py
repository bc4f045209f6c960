"""Belgium's 565 municipalities and how to reach them: the registry (names, region, province and
the language(s) each is addressed in) and the contacts file staff keep in Excel.

It may import `bluekit.files` and `bluekit.errors`.
"""
