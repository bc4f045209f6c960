"""The links of the published site's pages: every link to a file of the site must be relative
(the folder is served at an address bluekit does not control, often a SharePoint library deep
in a site) and must lead to a file that is published; links to other sites are fine.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

LINK_ATTRIBUTES = (("a", "href"), ("img", "src"), ("link", "href"), ("script", "src"),
                   ("source", "src"), ("iframe", "src"), ("video", "src"), ("audio", "src"))
OTHER_SCHEMES = ("mailto:", "tel:", "data:", "javascript:")


def page_problems(path: str, html: bytes, published: Set[str], site_host: str | None) -> list[str]:
    """What is wrong with the links of the page `path` of the site."""
    soup = BeautifulSoup(html, "html.parser")
    problems: list[str] = []
    folder = PurePosixPath(path).parent
    for tag, attribute in LINK_ATTRIBUTES:
        for element in soup.find_all(tag):
            value = element.get(attribute)
            if not isinstance(value, str) or not value.strip():
                continue
            problem = _link_problem(value.strip(), folder, published, site_host)
            if problem:
                problems.append(f"{path}: <{tag} {attribute}={value!r}>: {problem}")
    return problems


def _link_problem(
    link: str, folder: PurePosixPath, published: Set[str], site_host: str | None
) -> str | None:
    if link.startswith("#") or link.lower().startswith(OTHER_SCHEMES):
        return None
    parts = urlsplit(link)
    if parts.scheme in ("http", "https") or link.startswith("//"):
        if site_host and parts.netloc.lower() == site_host:
            return "an absolute link to the site itself: it breaks when the folder moves"
        return None  # another site
    if parts.scheme:  # file:, c:\... (a drive letter reads as a scheme)
        return "a link to a file on this computer, which nobody else can open"
    if link.startswith("/"):
        return "a link from the root of the server: it breaks when the site is in a sub-folder"
    target = _resolve(folder, unquote(parts.path))
    if target is None:
        return "a link out of the published folder"
    if target not in published:
        return f"links to {target}, which is not published"
    return None


def _resolve(folder: PurePosixPath, link: str) -> str | None:
    parts: list[str] = [p for p in folder.parts if p not in ("", ".")]
    for part in link.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def site_problems(pages: Mapping[str, bytes], published: Set[str], site_host: str | None
                  ) -> list[str]:
    """Every link problem of every page of the site."""
    problems: list[str] = []
    for path, html in sorted(pages.items()):
        problems += page_problems(path, html, published, site_host)
    return problems
