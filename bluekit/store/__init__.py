"""The one database of bluekit's state (SQLite by default, or a shared PostgreSQL): which one
(`address`), its tables, its schema versions (`schema`, Alembic's `migrations` run by
`upgrade`), how it is opened (`database`), and moving a ledger between databases (`transfer`).

It may import `bluekit.errors` only; what the rows mean lives in `bluekit.mail` (the send
journal) and `bluekit.ledger` (replies, orders, stock).
"""
