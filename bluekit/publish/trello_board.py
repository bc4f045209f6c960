"""What is on a Trello board now, read in one request (the board with its lists, cards and
their attachments, as Trello's nested resources give them), or, for a dry run without a key,
what bluekit's record says is there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bluekit.publish.trello_api import TrelloClient
from bluekit.publish.trello_mapping import Item


@dataclass
class CardState:
    id: str
    name: str | None  # None: known from bluekit's record only
    desc: str | None
    due: str | None
    list_id: str | None
    closed: bool
    pos: float | None = None
    attachments: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # id: name, bytes


@dataclass
class ListState:
    id: str
    name: str | None
    closed: bool


@dataclass
class BoardState:
    id: str | None  # None: the board is still to be made
    url: str | None = None
    lists: dict[str, ListState] = field(default_factory=dict)
    cards: dict[str, CardState] = field(default_factory=dict)


def read_board(client: TrelloClient, board_id: str) -> tuple[BoardState, bool]:
    """The board as Trello has it, and whether it is closed."""
    data = client.get(
        f"/boards/{board_id}",
        fields="name,url,closed",
        lists="all", list_fields="name,closed,pos",
        cards="all", card_fields="name,desc,due,idList,closed,pos",
        card_attachments="true", card_attachment_fields="name,bytes",
    )
    board = BoardState(str(data["id"]), data.get("url"))
    for item in data.get("lists") or []:
        board.lists[item["id"]] = ListState(item["id"], item.get("name"), bool(item.get("closed")))
    for item in data.get("cards") or []:
        board.cards[item["id"]] = _card(item)
    return board, bool(data.get("closed"))


def _card(item: dict[str, Any]) -> CardState:
    return CardState(
        id=item["id"], name=item.get("name", ""), desc=item.get("desc", ""),
        due=item.get("due"), list_id=item.get("idList"), closed=bool(item.get("closed")),
        pos=item.get("pos"),
        attachments={
            a["id"]: (a.get("name", ""), _size(a.get("bytes")))
            for a in item.get("attachments") or []
        },
    )


def _size(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def board_from_record(items: dict[str, Item]) -> BoardState:
    """The board as bluekit last left it, for a dry run that does not ask Trello."""
    board_item = items.get("board")
    board = BoardState(board_item.trello_id if board_item else None)
    cards: dict[str, CardState] = {}
    for key, item in items.items():
        if item.trello_id is None or item.state == "creating":
            continue
        if key.startswith("list/"):
            board.lists[item.trello_id] = ListState(item.trello_id, None, False)
        elif key.startswith("card/"):
            cards[key.removeprefix("card/")] = CardState(
                item.trello_id, None, None, None, None, item.state == "archived"
            )
    for key, item in items.items():
        if key.startswith("file/") and item.trello_id and item.state == "live":
            card_key, _, name = key.removeprefix("file/").rpartition("/")
            if card_key in cards:
                cards[card_key].attachments[item.trello_id] = (name, None)
    board.cards = {card.id: card for card in cards.values()}
    return board
