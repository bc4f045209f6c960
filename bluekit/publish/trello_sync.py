"""Publishing a board plan to Trello as a sync: what is on the board already and unchanged is
left alone, a changed card or image is updated in place, a card whose post left the campaign
is archived, and nothing is made twice, also after a run that died halfway.

Every object is made in three steps: the intent in bluekit's record, the request to Trello, the
answer in the record. The next run finds an object whose answer was lost on the board: a list
by its name, a card by the reference at the end of its description, an attachment by its name
and size. A dry run does the same reading and reports what it would do, writing nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bluekit.publish.kit_files import KitNotBuilt
from bluekit.publish.trello_api import TrelloClient, TrelloError, TrelloNotFound
from bluekit.publish.trello_board import BoardState, CardState, board_from_record, read_board
from bluekit.publish.trello_mapping import Item, Mapping
from bluekit.publish.trello_plan import (
    MAX_ATTACHMENTS,
    Attachment,
    BoardPlan,
    CardPlan,
    reference_of,
)


@dataclass
class CardOutcome:
    """What a run did (or would do) with one card."""

    key: str
    list_key: str
    name: str
    action: str  # create, update, found, unchanged, archive
    changes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "list": self.list_key, "name": self.name,
                "action": self.action, "changes": self.changes}


@dataclass
class SyncReport:
    board: str
    dry_run: bool
    offline: bool = False  # a dry run that compared with bluekit's record, not with Trello
    board_url: str | None = None
    board_action: str = "unchanged"  # create, found, unchanged
    lists: list[tuple[str, str]] = field(default_factory=list)  # (action, list name)
    cards: list[CardOutcome] = field(default_factory=list)
    requests: int = 0

    def count(self, action: str) -> int:
        return sum(1 for card in self.cards if card.action == action)

    def as_dict(self) -> dict[str, Any]:
        return {
            "board": self.board, "board_url": self.board_url, "dry_run": self.dry_run,
            "offline": self.offline, "board_action": self.board_action,
            "lists": [{"action": a, "name": n} for a, n in self.lists],
            "cards": [c.as_dict() for c in self.cards],
            "counts": {a: self.count(a) for a in
                       ("create", "update", "found", "archive", "unchanged")},
            "requests": self.requests,
        }


Progress = Callable[[CardOutcome], None]


class BoardClosed(TrelloError):
    """The board bluekit publishes to was closed on Trello."""


def sync_board(
    plan: BoardPlan,
    mapping: Mapping,
    client: TrelloClient | None,
    *,
    dry_run: bool = True,
    force: bool = False,
    progress: Progress | None = None,
) -> SyncReport:
    """Bring the board to `plan`. Without a client (a dry run without key and token) the plan
    is compared with bluekit's record of the board instead of the board itself."""
    assert client is not None or dry_run, "publishing needs a Trello client"
    report = SyncReport(plan.name, dry_run, offline=client is None)
    run = _Sync(plan, mapping, client, report, dry_run, force, progress)
    if dry_run:
        run.run()
    else:
        with mapping.holding():
            run.run()
    report.requests = client.requests if client else 0
    return report


class _Sync:
    def __init__(self, plan: BoardPlan, mapping: Mapping, client: TrelloClient | None,
                 report: SyncReport, dry_run: bool, force: bool, progress: Progress | None):
        self.plan, self.mapping, self.client, self.report = plan, mapping, client, report
        self.dry_run, self.force, self.progress = dry_run, force, progress
        self.items: dict[str, Item] = mapping.items()

    @property
    def api(self) -> TrelloClient:
        assert self.client is not None
        return self.client

    def write(self) -> bool:
        return not self.dry_run

    def run(self) -> None:
        board = self.board()
        self.report.board_url = board.url
        list_ids = self.lists(board)
        by_reference = {
            ref: card for card in board.cards.values()
            if card.desc and (ref := reference_of(card.desc))
        }
        for card_plan in self.plan.cards:
            outcome = self.card(card_plan, board, list_ids.get(card_plan.list_key), by_reference)
            self.report.cards.append(outcome)
            if self.progress:
                self.progress(outcome)
        self.archive_left(board, by_reference)

    # --- the board and its lists ---

    def board(self) -> BoardState:
        if self.client is None:
            if "board" not in self.items:
                self.report.board_action = "create"
            return board_from_record(self.items)
        known = self.items.get("board")
        if known and known.trello_id:
            try:
                board, closed = read_board(self.api, known.trello_id)
            except TrelloNotFound:  # deleted on Trello: everything on it went with it
                if self.write():
                    self.mapping.forget_board()
                self.items = {}
            else:
                if closed:
                    raise BoardClosed(
                        f"the board {self.plan.name!r} is closed on Trello",
                        hint="reopen it on Trello (Boards, 'View closed boards'), or publish to "
                        "another --board")
                return board
        return self.find_or_make_board()

    def find_or_make_board(self) -> BoardState:
        boards = self.api.get("/members/me/boards", filter="open", fields="name,url")
        for found in boards:
            if found.get("name") == self.plan.name:
                if self.write():
                    self.mapping.record("board", found["id"], None)
                self.report.board_action = "found"
                return read_board(self.api, found["id"])[0]
        self.report.board_action = "create"
        if not self.write():
            return BoardState(None)
        self.mapping.intend("board", None)
        made = self.api.post("/boards/", {
            "name": self.plan.name, "defaultLists": False, "prefs_permissionLevel": "private",
        })
        self.mapping.record("board", made["id"], None)
        return BoardState(made["id"], made.get("url"))

    def lists(self, board: BoardState) -> dict[str, str | None]:
        ids: dict[str, str | None] = {}
        for list_plan in self.plan.lists:
            key = f"list/{list_plan.key}"
            known = self.items.get(key)
            state = board.lists.get(known.trello_id) if known and known.trello_id else None
            if state is None and board.id is not None:
                state = next((s for s in board.lists.values() if s.name == list_plan.name), None)
            if state is None:
                self.report.lists.append(("create", list_plan.name))
                ids[list_plan.key] = self.make_list(key, list_plan.name, board)
                continue
            renamed = state.name is not None and state.name != list_plan.name
            if state.closed or renamed:
                self.report.lists.append(("restore" if state.closed else "rename", list_plan.name))
                if self.write():
                    self.api.put(f"/lists/{state.id}", {"name": list_plan.name, "closed": False})
            if self.write() and (known is None or known.trello_id != state.id
                                 or known.state != "live"):
                self.mapping.record(key, state.id, list_plan.name)
            ids[list_plan.key] = state.id
        return ids

    def make_list(self, key: str, name: str, board: BoardState) -> str | None:
        if not self.write():
            return None
        self.mapping.intend(key, name)
        made = self.api.post("/lists", {"name": name, "idBoard": board.id, "pos": "bottom"})
        self.mapping.record(key, made["id"], name)
        return str(made["id"])

    # --- cards ---

    def card(self, plan: CardPlan, board: BoardState, list_id: str | None,
             by_reference: dict[str, CardState]) -> CardOutcome:
        key = f"card/{plan.key}"
        known = self.items.get(key)
        card = board.cards.get(known.trello_id) if known and known.trello_id else None
        found = False
        if card is None and plan.key in by_reference:  # made by a run that died before recording
            card, found = by_reference[plan.key], True
        if card is None:
            outcome = CardOutcome(plan.key, plan.list_key, plan.name, "create",
                                  [f"{len(plan.attachments)} file(s)"] if plan.attachments else [])
            if known is not None and known.state != "creating":
                outcome.changes.append("it was no longer on the board")
            if self.write():
                card = self.make_card(key, plan, list_id)
                self.files(plan, card)
            return outcome
        changes = self.update_card(key, known, plan, card, list_id)
        changes += self.files(plan, card)
        action = "found" if found else "update" if changes else "unchanged"
        return CardOutcome(plan.key, plan.list_key, plan.name, action, changes)

    def make_card(self, key: str, plan: CardPlan, list_id: str | None) -> CardState:
        self.mapping.intend(key, None)
        made = self.api.post("/cards", {**self.card_fields(plan, list_id)})
        self.mapping.record(key, made["id"], plan.digest())
        return CardState(made["id"], plan.name, plan.desc, plan.due, list_id, False, plan.pos)

    @staticmethod
    def card_fields(plan: CardPlan, list_id: str | None) -> dict[str, Any]:
        return {"idList": list_id, "name": plan.name, "desc": plan.desc, "due": plan.due,
                "pos": plan.pos}

    def update_card(self, key: str, known: Item | None, plan: CardPlan, card: CardState,
                    list_id: str | None) -> list[str]:
        """Write the card again when the campaign changed it (or with --force); a card edited
        or archived by hand is left as it is until then."""
        digest = plan.digest()
        if not (self.force or known is None or known.digest != digest
                or known.trello_id != card.id or known.state != "live"):
            return []
        changes = _differences(plan, card, list_id)
        if card.closed:
            changes.append("restored")
        if changes and self.write():
            self.api.put(f"/cards/{card.id}", {**self.card_fields(plan, list_id), "closed": False})
        if self.write():
            self.mapping.record(key, card.id, digest)
        return changes

    def archive_left(self, board: BoardState, by_reference: dict[str, CardState]) -> None:
        """Archive the cards of posts the campaign no longer has."""
        planned = {card.key for card in self.plan.cards}
        left: dict[str, CardState | None] = {}
        for key, item in self.items.items():
            if key.startswith("card/") and key[5:] not in planned and item.state != "archived":
                left[key[5:]] = board.cards.get(item.trello_id or "")
        for ref, marked in by_reference.items():  # also one made by a run that died
            if ref not in planned and not marked.closed and left.get(ref) is None:
                left[ref] = marked
        for ref, card in left.items():
            if card is not None and not card.closed:
                outcome = CardOutcome(ref, ref.split("/")[0], card.name or ref, "archive")
                self.report.cards.append(outcome)
                if self.progress:
                    self.progress(outcome)
                if self.write():
                    self.api.put(f"/cards/{card.id}", {"closed": True})
            if self.write() and card is not None:
                self.mapping.record(f"card/{ref}", card.id, None, "archived")
            elif self.write():  # deleted on Trello: nothing left to archive
                self.mapping.forget(f"card/{ref}")

    # --- attachments ---

    def files(self, plan: CardPlan, card: CardState) -> list[str]:
        changes: list[str] = []
        recorded = {i.trello_id for k, i in self.items.items() if k.startswith("file/")}
        for attachment in plan.attachments:
            change = self.file(plan, card, attachment, recorded)
            if change:
                changes.append(change)
        prefix = f"file/{plan.key}/"
        wanted = {prefix + a.name for a in plan.attachments}
        for key, item in list(self.items.items()):
            if key.startswith(prefix) and key not in wanted:
                changes.append(f"removed {key.removeprefix(prefix)}")
                if self.write():
                    if item.trello_id in card.attachments:
                        self.api.delete(f"/cards/{card.id}/attachments/{item.trello_id}")
                    self.mapping.forget(key)
        return changes

    def file(self, plan: CardPlan, card: CardState, attachment: Attachment,
             recorded: set[str | None]) -> str | None:
        key = f"file/{plan.key}/{attachment.name}"
        known = self.items.get(key)
        sha = attachment.file.sha256
        old = known.trello_id if known and known.trello_id in card.attachments else None
        if old and known and known.state == "live" and known.digest == sha:
            return None
        if known is None or known.state == "creating":  # a run died after the upload?
            lost = next((aid for aid, (name, size) in card.attachments.items()
                         if aid not in recorded and name == attachment.name
                         and size == attachment.file.size), None)
            if lost is not None:
                if self.write():
                    self.mapping.record(key, lost, sha)
                    self.remove_replaced(card, old, lost)
                return None
        change = f"new {attachment.name}" if old else f"added {attachment.name}"
        if self.write():
            self.upload(key, plan, card, attachment, old)
        return change

    def upload(self, key: str, plan: CardPlan, card: CardState, attachment: Attachment,
               old: str | None) -> None:
        content = attachment.file.source.read_bytes()
        if hashlib.sha256(content).hexdigest() != attachment.file.sha256:
            raise KitNotBuilt(f"{attachment.file.source} changed while it was being published",
                              hint="let the build finish, then publish again")
        if old and len(card.attachments) >= MAX_ATTACHMENTS:  # make room for the new one
            self.remove_replaced(card, old, None)
            old = None
        self.mapping.intend(key, attachment.file.sha256, keep_id=old)
        made = self.api.upload(f"/cards/{card.id}/attachments", attachment.name, content,
                               attachment.mime, cover=attachment.name == plan.cover)
        self.mapping.record(key, made["id"], attachment.file.sha256)
        card.attachments[made["id"]] = (attachment.name, attachment.file.size)
        self.remove_replaced(card, old, made["id"])

    def remove_replaced(self, card: CardState, old: str | None, new: str | None) -> None:
        if old and old != new and old in card.attachments:
            self.api.delete(f"/cards/{card.id}/attachments/{old}")
            del card.attachments[old]


def _differences(plan: CardPlan, card: CardState, list_id: str | None) -> list[str]:
    """What the campaign changed on a card, as a person would say it."""
    if card.name is None:  # known from bluekit's record only
        return ["content"]
    changes = []
    if card.name != plan.name:
        changes.append("title")
    if card.desc != plan.desc:
        changes.append("text")
    if (card.due or None) != plan.due:
        changes.append("posting time")
    if list_id is not None and card.list_id != list_id:
        changes.append("list")
    if card.pos is not None and float(card.pos) != plan.pos:
        changes.append("position")
    return changes
