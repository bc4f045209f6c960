"""A Trello for the tests: the part of Trello's REST API bluekit uses, as its reference
describes it, served over HTTPS by pytest-httpserver.

Boards, lists, cards (with the nested lists, cards and attachments of GET /1/boards/{id}),
attachments uploaded as multipart/form-data, archiving (closed); the key and token in the
OAuth Authorization header or the query; errors as Trello answers them, in plain text
("invalid id" 400, "invalid key" / "invalid token" 401, "The requested resource was not
found." 404); 100 requests per 10 s per token, beyond which it answers 429 with
{"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}; at most 100
attachments per card.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request, Response

ID = re.compile(r"^[0-9a-f]{24}$")
KEY = "0123456789abcdef0123456789abcdef"
TOKEN = "ATTA" + "f" * 60


@dataclass
class Clock:
    """Time the client and the server share, so a minute of waiting takes none."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _text(status: int, text: str) -> Response:
    return Response(text, status=status, content_type="text/plain; charset=utf-8")


class FakeTrello:
    def __init__(self, clock: Clock):
        self.clock = clock
        self.boards: dict[str, dict[str, Any]] = {}
        self.lists: dict[str, dict[str, Any]] = {}
        self.cards: dict[str, dict[str, Any]] = {}
        self.log: list[tuple[str, str]] = []  # (method, path) of every request answered
        self.window: deque[float] = deque()
        self.storm = 0  # answer 429 to this many requests, whatever the rate
        self.over_limit = 0  # requests refused for going beyond 100 in 10 s
        self.on_create_card: Callable[[dict[str, Any]], None] | None = None
        self._next = 0
        self._lock = threading.Lock()

    def new_id(self) -> str:
        self._next += 1
        return f"{0x5abbe4b7 + self._next:024x}"

    # --- what the tests look at ---

    def open_cards(self) -> list[dict[str, Any]]:
        return [c for c in self.cards.values() if not c["closed"]]

    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p in self.log if m != "GET"]

    # --- the server ---

    def handle(self, request: Request) -> Response:
        with self._lock:
            refused = self._refuse(request)
            if refused is not None:
                return refused
            self.log.append((request.method, request.path))
            try:
                answer = self._route(request.method, request.path.removeprefix("/1"),
                                     _params(request), request)
            except _Answer as exc:
                return exc.response
            response = Response(json.dumps(answer), content_type="application/json")
            remaining = 100 - len(self.window)
            response.headers["x-rate-limit-api-token-interval-ms"] = "10000"
            response.headers["x-rate-limit-api-token-max"] = "100"
            response.headers["x-rate-limit-api-token-remaining"] = str(remaining)
            return response

    def _refuse(self, request: Request) -> Response | None:
        key, token = _credentials(request)
        if key != KEY:
            return _text(401, "invalid key")
        if token != TOKEN:
            return _text(401, "invalid token")
        now = self.clock.time()
        while self.window and now - self.window[0] >= 10.0:
            self.window.popleft()
        limited = Response(json.dumps({"error": "API_TOKEN_LIMIT_EXCEEDED",
                                       "message": "Rate limit exceeded"}),
                           status=429, content_type="application/json")
        if self.storm > 0:
            self.storm -= 1
            return limited
        if len(self.window) >= 100:
            self.over_limit += 1
            return limited
        self.window.append(now)
        return None

    def _route(self, method: str, path: str, params: dict[str, Any], request: Request) -> Any:
        parts = path.strip("/").split("/")
        for part in parts[1:2]:
            if part not in ("me",) and not ID.match(part):
                raise _Answer(_text(400, "invalid id"))
        match method, parts:
            case "GET", ["members", "me", "boards"]:
                wanted = params.get("filter", "all")
                return [{"id": b["id"], "name": b["name"], "url": b["url"]}
                        for b in self.boards.values()
                        if wanted == "all" or (wanted == "open") != b["closed"]]
            case "POST", ["boards"]:
                return self._new_board(params)
            case "GET", ["boards", board_id]:
                return self._board(self._get(self.boards, board_id), params)
            case "POST", ["lists"]:
                return self._new_list(params)
            case "PUT", ["lists", list_id]:
                return self._update(self._get(self.lists, list_id), params, ("name", "closed"))
            case "POST", ["cards"]:
                return self._new_card(params)
            case "PUT", ["cards", card_id]:
                return self._update(self._get(self.cards, card_id), params,
                                    ("name", "desc", "due", "idList", "pos", "closed"))
            case "POST", ["cards", card_id, "attachments"]:
                return self._attach(self._get(self.cards, card_id), params, request)
            case "DELETE", ["cards", card_id, "attachments", attachment_id]:
                card = self._get(self.cards, card_id)
                if not any(a["id"] == attachment_id for a in card["attachments"]):
                    raise _Answer(_text(404, "The requested resource was not found."))
                card["attachments"] = [a for a in card["attachments"] if a["id"] != attachment_id]
                return {"limits": {}}
        raise _Answer(_text(404, f"Cannot {method} /1{path}"))

    @staticmethod
    def _get(table: dict[str, dict[str, Any]], key: str) -> dict[str, Any]:
        if key not in table:
            raise _Answer(_text(404, "The requested resource was not found."))
        return table[key]

    def _new_board(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("name"):
            raise _Answer(_text(400, "invalid value for name"))
        board_id = self.new_id()
        board = {"id": board_id, "name": params["name"], "closed": False, "desc": "",
                 "url": f"https://trello.com/b/{board_id[-8:]}/board",
                 "prefs": {"permissionLevel": params.get("prefs_permissionLevel", "private")}}
        self.boards[board_id] = board
        if _true(params.get("defaultLists", True)):  # Trello's three lists, unless told not to
            for name in ("To Do", "Doing", "Done"):
                self._new_list({"name": name, "idBoard": board_id})
        return board

    def _board(self, board: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        answer = {k: board[k] for k in ("id", "name", "url", "closed")}
        if params.get("lists") == "all":
            answer["lists"] = [dict(li) for li in self.lists.values()
                               if li["idBoard"] == board["id"]]
        if params.get("cards") == "all":
            cards = [c for c in self.cards.values() if c["idBoard"] == board["id"]]
            answer["cards"] = []
            for card in cards:
                shown = {k: v for k, v in card.items() if k != "attachments"}
                if _true(params.get("card_attachments", False)):
                    shown["attachments"] = [
                        {"id": a["id"], "name": a["name"], "bytes": a["bytes"]}
                        for a in card["attachments"]
                    ]
                answer["cards"].append(shown)
        return answer

    def _new_list(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("idBoard") not in self.boards:
            raise _Answer(_text(400, "invalid value for idBoard"))
        list_id = self.new_id()
        self.lists[list_id] = {"id": list_id, "name": params.get("name", ""), "closed": False,
                               "idBoard": params["idBoard"], "pos": len(self.lists) * 1024}
        return self.lists[list_id]

    def _new_card(self, params: dict[str, Any]) -> dict[str, Any]:
        the_list = self.lists.get(params.get("idList") or "")
        if the_list is None:
            raise _Answer(_text(400, "invalid value for idList"))
        card_id = self.new_id()
        card = {"id": card_id, "name": params.get("name", ""), "desc": params.get("desc", ""),
                "due": params.get("due"), "idList": the_list["id"],
                "idBoard": the_list["idBoard"], "pos": float(params.get("pos") or 1),
                "closed": False, "attachments": [],
                "shortUrl": f"https://trello.com/c/{card_id[-8:]}"}
        self.cards[card_id] = card
        if self.on_create_card:
            self.on_create_card(card)
        return {k: v for k, v in card.items() if k != "attachments"}

    @staticmethod
    def _update(item: dict[str, Any], params: dict[str, Any], allowed: tuple[str, ...]) -> Any:
        for name in allowed:
            if name in params:
                value = params[name]
                item[name] = _true(value) if name == "closed" else (
                    float(value) if name == "pos" else value)
        return {k: v for k, v in item.items() if k != "attachments"}

    def _attach(self, card: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        upload = request.files.get("file")
        if upload is None:
            raise _Answer(_text(400, "invalid value for file"))
        if len(card["attachments"]) >= 100:
            raise _Answer(_text(400, "ATTACHMENTS_PER_CARD_LIMIT_EXCEEDED"))
        content = upload.read()
        attachment_id = self.new_id()
        name = params.get("name") or upload.filename
        attachment = {"id": attachment_id, "name": name, "bytes": len(content),
                      "mimeType": params.get("mimeType", ""), "isUpload": True,
                      "url": f"https://trello.com/1/cards/{card['id']}/attachments/"
                             f"{attachment_id}/download/{name}",
                      "content": content}
        card["attachments"].append(attachment)
        if _true(params.get("setCover", False)):
            card["idAttachmentCover"] = attachment_id
        return {k: v for k, v in attachment.items() if k != "content"}


class _Answer(Exception):
    def __init__(self, response: Response):
        self.response = response


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _params(request: Request) -> dict[str, Any]:
    """Query parameters, which Trello also takes as a JSON body or form fields."""
    params: dict[str, Any] = dict(request.args)
    params.update(request.form)
    if request.mimetype == "application/json" and request.data:
        params.update(json.loads(request.data))
    return params


def _credentials(request: Request) -> tuple[str | None, str | None]:
    header = request.headers.get("Authorization", "")
    found = dict(re.findall(r'(oauth_consumer_key|oauth_token)="([^"]*)"', header))
    return (found.get("oauth_consumer_key") or request.args.get("key"),
            found.get("oauth_token") or request.args.get("token"))
