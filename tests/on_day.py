"""Run `bluekit` as on another day: `python tests/on_day.py 2024-07-15 invitations remind ...`.

Reminders go out only between the reply-by date and World Day, and bluekit reads that day from
`datetime.date.today()` in `bluekit.workflows.sending`; for the 2024 campaign those days are
past, so a test that runs real `bluekit remind` processes runs them on a day in between.
"""

from __future__ import annotations

import datetime as dt
import sys
import types


def _on(day: dt.date) -> None:
    """Make `bluekit.workflows.sending` see `day` as today (the rest of datetime unchanged)."""
    from bluekit.workflows import sending

    class Day(dt.date):
        @classmethod
        def today(cls) -> Day:
            return cls(day.year, day.month, day.day)

    shim = types.ModuleType("datetime")
    shim.__dict__.update(vars(dt))
    shim.date = Day
    sending.dt = shim  # only this module sees the day


if __name__ == "__main__":
    _on(dt.date.fromisoformat(sys.argv[1]))
    sys.argv = ["bluekit", *sys.argv[2:]]
    from bluekit.__main__ import main

    main()
