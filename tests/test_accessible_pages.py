"""Accessible pages: every page bluekit makes (the gallery, the visual system, the social kits,
the order form, the published site, the lighting report and the HTML e-mails) is loaded in a real
headless Chromium, checked by axe-core with 0 violations, and walked through with the Tab key:
every interactive element is reached, and each shows that it has the focus."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from bluekit.campaign.load import load_campaign
from bluekit.ledger.documents import mail_job
from bluekit.ledger.lighting import Reply, record
from bluekit.ledger.lighting_report import plan_report
from bluekit.ledger.order_entry import add_order
from bluekit.ledger.order_status import change_status
from bluekit.ledger.orders import NewOrder, Partner, get_order
from bluekit.mail import journal
from bluekit.municipalities import registry
from bluekit.pipeline.outputs import write_outputs
from bluekit.store.database import Store
from bluekit.workflows.publish import publish_folder

from .browser import (
    axe_violations,
    browser,
    describe,
    focus_ring_pixels,
    font_problems,
    tab_through,
)
from .conftest import CAMPAIGN_2024

__all__ = ["browser"]  # the fixture, used by name

CAMPAIGN = load_campaign(CAMPAIGN_2024)
KIT_PAGES = ["index.html", "visual-system.html", "order-form/index.html",
             *(f"social/{lang}/index.html" for lang in CAMPAIGN.languages)]


def check_page(browser, path: Path, root: Path | None = None, email: bool = False) -> None:
    """axe-core finds nothing; Tab reaches every interactive element, each with a visible focus;
    the page asks for nothing outside its own files. An e-mail's HTML part is shown inside the
    mail program's own page, which has the landmarks and the heading: axe's best practices for
    a whole page are for the pages only (WCAG's rules are for both)."""
    name = str(path.relative_to(root)) if root else path.name
    page = browser.open(path, root=root)
    try:
        violations = axe_violations(page, best_practice=not email)
        assert violations == [], f"{name}:\n{describe(violations)}"
        assert font_problems(page) == [], name
        count, stops = tab_through(page)
        reached = [stop.index for stop in stops]
        assert reached == list(range(count)), (
            f"{name}: Tab reached {len(set(reached))} of {count} elements, in the order "
            f"{reached[:40]}")
        hidden = [stop.html for stop in stops if not stop.focus_visible]
        assert hidden == [], f"{name}: no visible focus on {hidden[:5]}"
        # the focus ring on screen, for one element of each kind
        kinds: dict[str, int] = {}
        for stop in stops:
            kind = re.match(r"<(\w+)[^>]*?(class=\"[^\"]*\")?", stop.html)
            kinds.setdefault(kind[0] if kind else stop.html[:20], stop.index)
        for kind, index in kinds.items():
            assert focus_ring_pixels(page, index), f"{name}: {kind} shows no focus ring"
    finally:
        page.context.close()
    assert browser.refused == [], f"{name} asked for {browser.refused}"


@pytest.mark.parametrize("name", KIT_PAGES)
def test_every_page_of_the_kit_passes_axe_and_works_by_keyboard(browser, built_kit, name) -> None:
    check_page(browser, built_kit / name, root=built_kit)


def test_the_published_site_passes_axe_and_works_by_keyboard(browser, built_kit, tmp_path):
    site = tmp_path / "site"
    publish_folder(CAMPAIGN_2024, site, out_dir=built_kit, sleep=lambda seconds: None)
    check_page(browser, site / "index.html", root=site)


def _html_parts(message: bytes) -> list[str]:
    parsed = email.message_from_bytes(message, policy=email.policy.default)
    return [part.get_content() for part in parsed.walk() if part.get_content_type() == "text/html"]


def test_every_invitation_e_mail_passes_axe_and_works_by_keyboard(browser, built_kit, tmp_path):
    # one e-mail of each set of languages (nl, fr, nl+fr, de+fr...): the others differ by names
    by_languages: dict[str, Path] = {}
    for path in sorted(built_kit.glob("invitations/*/message.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        by_languages.setdefault(str(message["Content-Language"]), path)
    assert len(by_languages) >= 3
    for path in by_languages.values():
        [html] = _html_parts(path.read_bytes())
        page = tmp_path / f"{path.parent.name}.html"
        page.write_text(html, "utf-8")
        check_page(browser, page, email=True)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'state.db'}")


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
def test_the_order_e_mails_pass_axe_and_work_by_keyboard(browser, store, tmp_path, lang):
    partner = Partner("Stad Gent", "Piet De Smet", "piet@stad.gent", "Botermarkt 1", "9000",
                      "Gent", lang)
    added, _ = add_order(store, CAMPAIGN, NewOrder(partner, (("PIN-BLUEHEART", 100),)))
    for step in ("confirmed", "packed"):
        change_status(store, CAMPAIGN, added.number, step)
    change_status(store, CAMPAIGN, added.number, "shipped", carrier="bpost",
                  tracking="323299901234567")
    order = get_order(store, added.number)
    for status in ("confirmed", "shipped"):
        page = tmp_path / f"{status}.html"
        page.write_text(mail_job(CAMPAIGN, order, status).html, "utf-8")
        check_page(browser, page, email=True)


def test_the_lighting_report_passes_axe_and_works_by_keyboard(browser, store, tmp_path):
    for name in ("Kortrijk", "Liège", "Eupen", "Schaerbeek"):
        m = registry.find(name)
        journal.mark_sent(store, journal.Key(2024, "invitation", m.code),
                          f"x@{m.code}.example.org", f"<{m.code}@x>", "sent in a test")
    record(store, 2024, Reply(registry.find("Kortrijk"), True, "Belfort", "21:00", "01:00"))
    record(store, 2024, Reply(registry.find("Schaerbeek"), True, "Maison communale"))
    record(store, 2024, Reply(registry.find("Eupen"), False))
    write_outputs(plan_report(CAMPAIGN, store), tmp_path)
    check_page(browser, tmp_path / "lighting" / "blue-buildings.html")
