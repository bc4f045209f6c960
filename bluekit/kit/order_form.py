"""The order form: a structured block partners fill in and e-mail, in nl, fr, de or en.

The block is plain text between two marker lines, one "Label: value" per line, and one line per
catalogue item with its code, so a reply, a forward (with "> " quoting) or an HTML mail converted
to text still parses. The same labels (`templates/order_strings.yaml`) read it back in
`bluekit.ledger.order_form_reader`.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import cast
from urllib.parse import quote

from bluekit.campaign.model import Campaign
from bluekit.campaign.yaml_source import load_plain
from bluekit.kit import brand
from bluekit.kit.typography import colon
from bluekit.language import Language
from bluekit.pipeline.jinja_templates import render_html
from bluekit.pipeline.jobs import PlannedOutput, StaticJob

FIELDS = (
    "organisation", "contact", "email", "telephone", "street", "postcode", "city", "language",
)
REQUIRED = ("organisation", "contact", "street", "postcode", "city")


@cache
def order_strings() -> dict[str, dict[str, str]]:
    """The words of the form, the packing slip and the order e-mails, per language."""
    text = (files("bluekit") / "templates" / "order_strings.yaml").read_text("utf-8")
    # the file maps each language code to its words, all of them strings
    return cast("dict[str, dict[str, str]]", load_plain(text))


def start_marker(campaign: Campaign, lang: str) -> str:
    """'=== Cœur bleu 2024 – bon de commande ===': the campaign's name in the form's language
    (`orders import` reads it in any language, and the 'Blue Heart' of earlier forms)."""
    strings = order_strings()[lang]
    return f"=== {strings['campaign']} {campaign.year} – {strings['form_title']} ==="


def end_marker(lang: str) -> str:
    return f"=== {order_strings()[lang]['form_end']} ==="


def form_text(campaign: Campaign, lang: Language) -> str:
    """The empty form in `lang`, ready to be pasted into an e-mail."""
    # (the reading of a form takes either colon: a reply typed with a plain one is understood)
    s, c = order_strings()[lang], colon(lang)
    lines = [start_marker(campaign, lang)]
    lines += [f"{s['label_' + name]}{c}" for name in FIELDS if name != "language"]
    lines.append(f"{s['label_language']}{c}{lang}")
    lines += ["", s["form_items"]]
    for m in campaign.materials:
        lines.append(f"{m.code} ({m.name[lang]}){c}")
    lines += ["", f"{s['label_remarks']}{c}", end_marker(lang)]
    return "\n".join(lines) + "\n"


def form_file_text(campaign: Campaign, lang: Language) -> str:
    """The introduction and the form, to paste into an e-mail to the orders mailbox."""
    intro = order_strings()[lang]["form_intro"].format(orders=campaign.contacts.orders)
    return f"{intro}\n\n{form_text(campaign, lang)}"


def form_email_body(campaign: Campaign, lang: Language) -> str:
    """The body of the e-mail the mailto link opens (already addressed to the orders mailbox):
    a line on filling it in, and the form."""
    return f"{order_strings()[lang]['form_mail_intro']}\n\n{form_text(campaign, lang)}"


def form_subject(campaign: Campaign, lang: str) -> str:
    return order_strings()[lang]["form_subject"].format(year=campaign.year)


def mailto_link(campaign: Campaign, lang: Language) -> str:
    """A mailto: link that opens a new e-mail to the orders mailbox with the form filled in
    (RFC 6068: every reserved character percent-encoded, line breaks as CRLF)."""
    body = form_email_body(campaign, lang).replace("\n", "\r\n")
    return (
        f"mailto:{campaign.contacts.orders}?subject={quote(form_subject(campaign, lang), safe='')}"
        f"&body={quote(body, safe='')}"
    )



def plan_order_form(campaign: Campaign) -> list[PlannedOutput]:
    """`order-form/`: the form per language as text, and a page with each form and the link
    that opens it in an e-mail program."""
    planned = []
    forms = []
    for lang in campaign.languages:
        s = order_strings()[lang]
        text = form_text(campaign, lang)
        planned.append(PlannedOutput(
            f"order-form/order-form-{lang}.txt",
            StaticJob(form_file_text(campaign, lang).encode("utf-8"),
                      label=f"order form {lang}"),
        ))
        forms.append({
            "lang": lang,
            "title": s["form_page_title"],
            "intro": s["form_intro"].format(orders=campaign.contacts.orders),
            "open_mail": s["form_open_mail"],
            "mailto": mailto_link(campaign, lang),
            "text": text,
        })
    page = render_html(
        "order_form.html.j2",
        year=campaign.year,
        slogan=campaign.slogan[campaign.languages[0]],
        languages=forms,
        colours={k: c.rgb for k, c in brand.PALETTE.items()},
    )
    planned.append(PlannedOutput(
        "order-form/index.html", StaticJob(page.encode("utf-8"), label="order form page")
    ))
    return planned
