"""Jinja2 templates for text, HTML and e-mail (`bluekit/templates/*.j2`).

HTML is autoescaped, and every template is StrictUndefined: a name the template uses but the
code did not provide is an error, never an empty string in a message sent to 565 municipalities.
Campaign texts are only ever passed in as values, never compiled as templates.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from bluekit.pipeline.web_fonts import FONT_STACK, font_faces


@cache
def _environment(html: bool) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("bluekit", "templates"),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        # the templates ship with bluekit and do not change during a run: no check of the
        # file's time at each of the 1,100 e-mails of a build
        auto_reload=False,
    )
    if html:
        # a page names only the font it carries: the faces are read when a page asks for them
        environment.globals |= {"font_faces": font_faces, "font_stack": FONT_STACK}
    return environment


def render_html(name: str, **context: Any) -> str:
    """Render an HTML template with autoescaping."""
    return _environment(True).get_template(name).render(**context)


def render_plain(name: str, **context: Any) -> str:
    """Render a plain-text template (no escaping: the output is not HTML)."""
    return _environment(False).get_template(name).render(**context)
