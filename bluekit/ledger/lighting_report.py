"""The list of blue buildings for the press, made from the replies: a CSV, a press-ready HTML
page and a chart of participation per province.

They are planned outputs, made through the same output pipeline as everything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bluekit.campaign.model import Campaign
from bluekit.files.excel_csv import excel_csv
from bluekit.kit import brand
from bluekit.language import written_date, written_number
from bluekit.ledger.lighting import area_of, participating, status
from bluekit.municipalities.registry import Municipality
from bluekit.pipeline.jinja_templates import render_html
from bluekit.pipeline.jobs import PlannedOutput, StaticJob
from bluekit.pipeline.render import Job
from bluekit.store.database import Store

if TYPE_CHECKING:
    from sqlalchemy.engine import Row


def plan_report(campaign: Campaign, store: Store) -> list[PlannedOutput]:
    """The list of blue buildings (CSV, HTML page) and the participation chart (PNG)."""
    rows = participating(store, campaign.year)
    counts = status(store, campaign.year)
    return [
        PlannedOutput(
            "lighting/blue-buildings.csv",
            StaticJob(_buildings_csv(rows), label="blue buildings"),
        ),
        PlannedOutput(
            "lighting/blue-buildings.html",
            StaticJob(_buildings_page(campaign, rows).encode("utf-8"), label="blue buildings page"),
        ),
        PlannedOutput("lighting/participation.png", _participation_chart(campaign, counts)),
    ]


def _buildings_csv(rows: list[tuple[Municipality, Row[Any]]]) -> bytes:
    return excel_csv(
        ["province", "refnis", "municipality", "building", "from", "until"],
        ([area_of(m), m.code, m.local_name, r.building, r.lit_from or "", r.lit_until or ""]
         for m, r in rows),
    )


def _buildings_page(campaign: Campaign, rows: list[tuple[Municipality, Row[Any]]]) -> str:
    """The HTML page: the buildings by province, in Dutch and French."""
    groups: dict[str, list[dict[str, str]]] = {}
    for m, r in rows:
        groups.setdefault(area_of(m), []).append(
            {
                "municipality": m.display_name,
                "building": r.building or "",
                "hours": "–".join(t for t in (r.lit_from, r.lit_until) if t),
            }
        )
    return render_html(
        "lighting_report.html.j2",
        year=campaign.year,
        slogan={lang: campaign.slogan[lang] for lang in ("nl", "fr")},
        world_day={lang: written_date(campaign.dates.world_day, lang) for lang in ("nl", "fr")},
        groups=groups,
        total={"count": len(rows), "nl": written_number(len(rows), "nl"),
               "fr": written_number(len(rows), "fr")},
        colours={k: c.rgb for k, c in brand.PALETTE.items()},
    )


def _participation_chart(campaign: Campaign, counts: dict[str, Any]) -> Job:
    """The bar chart of accepted, declined and unanswered invitations per province."""
    return Job(
        template="chart.typ",
        data={
            "palette": brand.palette_data(),
            "title": f"Blue Heart {campaign.year} · {campaign.slogan['nl']} · "
            f"{campaign.slogan['fr']}",
            "rows": [{"label": area, **c} for area, c in counts["provinces"].items()],
            "legend": {
                "accepted": "ja / oui",
                "declined": "nee / non",
                "no_answer": "geen antwoord / pas de réponse",
            },
        },
        format="png",
        ppi=144,
        label="participation chart",
        check_glyphs=("title", "rows", "legend"),
    )
