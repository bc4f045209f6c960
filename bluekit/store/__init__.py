"""The one database of bluekit's state (SQLite by default, or a shared PostgreSQL): its tables,
its schema versions and how it is opened.

It may import `bluekit.errors` only; what the rows mean lives in `bluekit.mail` (the send
journal) and `bluekit.ledger` (replies, orders, stock).
"""
