"""Commands on the municipality registry and the contacts CSV."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bluekit.cli.groups import command_group
from bluekit.cli.output import print_json, say
from bluekit.cli.params import AsJson

if TYPE_CHECKING:
    from bluekit.municipalities.registry import Municipality

commands = command_group(
    help="Belgium's 565 municipalities, their languages, and the contacts CSV.\n\n"
    "Example: bluekit municipalities show Luik",
    no_args_is_help=True,
)

REGION_HELP = "flanders, wallonia or brussels (or Vlaanderen, Wallonie, Bruxelles...)."


def _row(m: "Municipality") -> str:
    from bluekit.municipalities import registry

    province = registry.province_short_name(m.province_nl) if m.province_nl else "-"
    return f"{m.code}  {m.display_name:<48} {m.region:<9} {province:<16} {'+'.join(m.languages)}"


@commands.command("list")
def list_municipalities(
    region: Annotated[str | None, typer.Option(help=REGION_HELP)] = None,
    province: Annotated[
        str | None, typer.Option(help="Province name in any language, or its REFNIS code.")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Only those addressed in this language (nl, fr, de).")
    ] = None,
    facilities: Annotated[
        bool, typer.Option("--facilities", help="Only municipalities with language facilities.")
    ] = False,
    as_json: AsJson = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (Excel dialect).")] = False,
) -> None:
    """List municipalities, filtered by region, province or language.

    Example: bluekit municipalities list --province Luik --language de
    """
    from bluekit.municipalities import registry
    from bluekit.municipalities.contacts import contacts_csv

    found = registry.select(
        region=region, province=province, language=language, facilities=facilities or None
    )
    if as_json:
        print_json([m.as_dict() for m in found])
    elif as_csv:
        rows = [{"refnis": m.code, "municipality": m.local_name} for m in found]
        typer.echo(contacts_csv(rows).decode("utf-8-sig"), nl=False)
    else:
        for m in found:
            typer.echo(_row(m))
        typer.echo(f"{len(found)} municipalities", err=True)


@commands.command("show")
def show(
    name: Annotated[str, typer.Argument(help="REFNIS code or name in Dutch, French or German.")],
    as_json: AsJson = False,
) -> None:
    """Show one municipality: names, region, province and the languages it is addressed in.

    Accents, case and language do not matter: "Luik", "liege" and "Liège" find the same place.

    Example: bluekit municipalities show liege
    """
    from bluekit.municipalities import registry

    m = registry.find(name)
    if as_json:
        print_json(m.as_dict())
        return
    typer.echo(f"{m.display_name}")
    typer.echo(f"  REFNIS code: {m.code}")
    typer.echo(
        f"  names:       nl {m.name_nl} | fr {m.name_fr}"
        + (f" | de {m.name_de}" if m.name_de else "")
    )
    region = registry.REGION_NAMES[m.region]
    typer.echo(f"  region:      {region['nl']} / {region['fr']}")
    if m.province_nl:
        typer.echo(f"  province:    {m.province_nl} / {m.province_fr}")
    typer.echo(
        f"  languages:   {' + '.join(m.languages)}"
        + (" (municipality with language facilities)" if m.facilities else "")
    )


@commands.command("template")
def template(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="The CSV file to create.")] = Path(
        "contacts.csv"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a contacts CSV for all 565 municipalities, ready to fill in with Excel.

    Example: bluekit municipalities template --out contacts.csv
    """
    from bluekit.municipalities.contacts import write_template

    count = write_template(out, overwrite=force)
    say(ctx, f"wrote {out}: {count} municipalities; fill in email, addressee and address")


@commands.command("contacts")
def contacts(
    file: Annotated[Path, typer.Argument(help="The contacts CSV to check.")],
    as_json: AsJson = False,
) -> None:
    """Check a contacts CSV and list who will be written to, in which language(s).

    Example: bluekit municipalities contacts campaigns/contacts.example.csv
    """
    from bluekit.municipalities import registry
    from bluekit.municipalities.contacts import read_contacts

    found = read_contacts(file)
    rows = []
    for code, contact in found.items():
        m = registry.by_code(code)
        assert m is not None  # read_contacts accepts known codes only
        rows.append((m, contact, contact.languages_for(m)))
    if as_json:
        print_json(
            [
                {
                    "code": m.code,
                    "municipality": m.local_name,
                    "email": c.email,
                    "addressee": c.addressee,
                    "languages": list(langs),
                }
                for m, c, langs in rows
            ]
        )
        return
    for m, c, langs in rows:
        typer.echo(f"{m.code}  {m.local_name:<30} {'+'.join(langs):<6} {c.email}")
    typer.echo(f"{len(rows)} contacts", err=True)
