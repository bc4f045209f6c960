"""A real headless Chromium (Debian's `chromium`, driven by Playwright) for the pages bluekit
makes: axe-core's accessibility check, and a walk through the page with the Tab key alone.

Chromium runs with no network: every request that is not for a file of the page itself (or a
`data:` address) is refused and recorded, so a page that needs the internet fails its test, and
no test ever reaches it. As root (CI) Chromium needs --no-sandbox, which Playwright passes.
axe-core is the copy the PyPI package axe-playwright-python ships (`axe.min.js`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = [
    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps",
]

# What a keyboard user can reach with Tab: the elements a browser puts in the tab order.
FOCUSABLE = (
    "a[href], area[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), "
    "select:not([disabled]), textarea:not([disabled]), summary, iframe, [contenteditable=''], "
    "[contenteditable=true], [tabindex]:not([tabindex='-1'])"
)


def chromium_path() -> str | None:
    return os.environ.get("BLUEKIT_CHROMIUM") or shutil.which("chromium")


@dataclass
class Browser:
    """One Chromium for the test session; a fresh page per check."""

    browser: Any
    refused: list[str] = field(default_factory=list)

    def open(self, path: Path, root: Path | None = None) -> Any:
        """A page showing the file at `path`; it may load the files under `root` (by default
        its own folder) and `data:` addresses, and every other request is refused."""
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        root = (root or path.parent).resolve()
        self.refused = []

        def route(request_route: Any) -> None:
            url = request_route.request.url
            if url.startswith("data:") or (url.startswith("file://") and _inside(url, root)):
                request_route.continue_()
            else:
                self.refused.append(url)
                request_route.abort()

        page.route("**/*", route)
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        return page



def _inside(url: str, root: Path) -> bool:
    from urllib.parse import unquote, urlsplit

    return Path(unquote(urlsplit(url).path)).resolve().is_relative_to(root)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the whole session."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium with apt-get")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield Browser(chromium)
        finally:
            chromium.close()


WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any, best_practice: bool = True) -> list[dict[str, Any]]:
    """axe-core's violations on the page: the rules of WCAG 2.0 and 2.1, levels A and AA, and
    (`best_practice`) axe's best practices for a whole page (one main landmark, a level-one
    heading, all content in landmarks...)."""
    from axe_playwright_python.base import AXE_FILE_PATH

    page.add_script_tag(path=str(AXE_FILE_PATH))
    tags = WCAG_21_AA + (["best-practice"] if best_practice else [])
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "resultTypes: ['violations']})", tags)
    return list(results["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """The violations as a reader wants them in a failed test: rule, impact and the elements."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            lines.append(f"      {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


# The focus ring as the page draws it: everything that can make a focused element look focused.
_LOOK = """el => { const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
          s.color, s.textDecorationLine, s.borderColor].join('|'); }"""

# Number the elements Tab should reach, in the order it should reach them (the document's, as no
# page of bluekit sets a positive tabindex): those shown (not display: none, not hidden, not
# inert), whatever their size, as a link around a lazily loaded image is focusable before the
# image has a size.
_FOCUSABLE_JS = """selector => Array.from(document.querySelectorAll(selector)).filter(el =>
  el.checkVisibility({visibilityProperty: true}) && !el.closest('[inert]') && el.tabIndex >= 0
).map((el, i) => { el.dataset.bluekitTab = String(i); return i; }).length"""


# Where the focus is after a Tab: the element's number, its markup, and whether its look differs
# focused and not (it is blurred to see, then focused again so that Tab goes on from it).
_STOP = """() => { const el = document.activeElement;
  if (!el || el === document.body) return null;
  const look = """ + _LOOK + """;
  const focused = look(el); el.blur(); const plain = look(el); el.focus({focusVisible: true});
  return {index: el.dataset.bluekitTab === undefined ? -1 : Number(el.dataset.bluekitTab),
          html: el.outerHTML.slice(0, 200), visible: focused !== plain};
}"""


@dataclass(frozen=True)
class TabStop:
    """An element the Tab key reached: its place among the page's focusable elements, its
    markup, and whether it looked different when focused."""

    index: int
    html: str
    focus_visible: bool


def tab_through(page: Any) -> tuple[int, list[TabStop]]:
    """Press Tab from the top of the page until focus comes back round; return how many
    focusable elements the page has and each stop Tab made, in order."""
    count = page.evaluate(_FOCUSABLE_JS, FOCUSABLE)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                  "window.scrollTo(0, 0); }")
    stops: list[TabStop] = []
    for _ in range(count + 2):
        page.keyboard.press("Tab")
        stop = page.evaluate(_STOP)
        if stop is None:
            if stops:  # past the last element: focus left the page
                break
            continue
        # an element Tab reaches that was not counted is a stop of its own (index -1)
        stops.append(TabStop(stop["index"], stop["html"], stop["visible"]))
    return count, stops


def focus_ring_pixels(page: Any, index: int) -> bool:
    """Whether the element at `index` (of `tab_through`'s numbering) looks different on screen
    focused by the keyboard than not focused: a screenshot of it and its surroundings both ways."""
    element = page.locator(f"[data-bluekit-tab='{index}']")
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    clip = {"x": max(box["x"] - 6, 0), "y": max(box["y"] - 6, 0),
            "width": box["width"] + 12, "height": box["height"] + 12}
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    plain = page.screenshot(clip=clip)
    # focus by the keyboard, as a user would: from the element before it
    element.evaluate("el => el.focus({focusVisible: true})")
    focused = page.screenshot(clip=clip)
    return plain != focused


GENERIC_FAMILIES = frozenset({
    "serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-serif",
    "ui-sans-serif", "ui-monospace", "ui-rounded", "math", "emoji", "fangsong", "inherit",
    "initial", "unset",
})

_FONTS_USED = """async () => {
  await document.fonts.ready;
  const used = new Map();
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'TEMPLATE'].includes(el.tagName)) continue;
    if (!Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const s = getComputedStyle(el);
    used.set([s.fontFamily, s.fontWeight, s.fontStyle].join('|'),
             [s.fontFamily, s.fontWeight, s.fontStyle]);
  }
  const shipped = new Set();
  const failed = [];
  document.fonts.forEach(f => {
    shipped.add(f.family.replace(/^["']|["']$/g, ''));
    if (f.status === 'error') failed.push(f.family + ' ' + f.weight);
  });
  const faces = [];
  for (const [family, weight, style] of used.values()) {
    const loaded = document.fonts.check(`${style} ${weight} 16px ${family}`);
    faces.push({family, weight, style, loaded});
  }
  return {faces, shipped: Array.from(shipped), failed};
}"""


def font_problems(page: Any) -> list[str]:
    """The fonts the page's CSS names for its text that are not shipped with it (loaded from a
    file or a `data:` address of the page), or that fail to load; generic families are fine."""
    found = page.evaluate(_FONTS_USED)
    shipped = set(found["shipped"])
    problems = [f"the font {name} does not load" for name in found["failed"]]
    for face in found["faces"]:
        names = [n.strip().strip("'\"") for n in face["family"].split(",")]
        for name in names:
            if name.lower() not in GENERIC_FAMILIES and name not in shipped:
                problems.append(f"{name} is named ({face['family']}) but not shipped")
        if any(n in shipped for n in names) and not face["loaded"]:
            problems.append(f"{face['family']} {face['weight']} {face['style']} is not loaded")
    return sorted(set(problems))
