"""The parameters many commands share, defined once: the campaign file, where the output goes,
the state database, --json; and option groups, options that always come together (those of the
commands that render, the sending options, the order filters...), which a command declares as
one parameter and receives as one value.
"""

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from bluekit.campaign.catalogue import Catalogue
    from bluekit.campaign.model import Campaign
    from bluekit.mail.oauth import MicrosoftSignIn
    from bluekit.store.database import Store
    from bluekit.store.reader import Reader

CampaignFile = Annotated[Path, typer.Argument(help="The campaign file, e.g. campaigns/2024.yaml.")]
Out = Annotated[Path | None, typer.Option("--out", help="Default: dist/<year>.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts).")]
OutputIntentFile = Annotated[
    Path | None,
    typer.Option(
        "--output-intent",
        help="The print shop's CMYK profile (.icc) for the print PDFs' PDF/X-4 output intent "
        "(default: bluekit's FOGRA39).",
    ),
]
Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="State database: a file, or a URL such as postgresql://HOST/DATABASE (default: "
        "BLUEKIT_DATABASE_URL, else orders/bluekit.db).",
    ),
]
By = Annotated[str | None, typer.Option("--by", help="Who does this (default: your login).")]
Note = Annotated[str | None, typer.Option("--note", help="A note for the history.")]
TenantId = Annotated[
    str | None,
    typer.Option("--tenant", help="Microsoft 365 tenant id or domain (default: BLUEKIT_TENANT_ID)."),
]
ClientId = Annotated[
    str | None,
    typer.Option("--client-id", help="The app registration's client id (default: BLUEKIT_CLIENT_ID)."),
]
AuthChoice = typing.Literal["auto", "password", "oauth"]
AUTH_HELP = ("auto (OAuth on Microsoft 365's servers, else a password), password, or oauth "
             "(after `bluekit auth login`).")


@dataclass(frozen=True)
class Rendering:
    """The options of every command that renders files."""

    out: Out = None
    jobs: Annotated[
        int | None, typer.Option(min=1, help="Parallel renders (default: one per core).")
    ] = None
    force: Annotated[bool, typer.Option("--force", help="Render even if up to date.")] = False
    as_json: AsJson = False

    def out_dir(self, campaign: "Campaign") -> Path:
        """--out, else dist/<year>."""
        from bluekit.workflows.build import default_out_dir

        return self.out or default_out_dir(campaign)


def open_store(db: str | None) -> "Store":
    """The state database: the file or URL given with --db, else the default (see
    store/address.py)."""
    from bluekit.store.database import Store  # SQLAlchemy: only for the commands that use it

    return Store(db)


def microsoft_sign_in(tenant: str | None, client_id: str | None) -> "MicrosoftSignIn":
    """The Microsoft 365 sign-in of this machine's user, for the tenant and app given."""
    from bluekit.mail.oauth import MicrosoftSignIn, Tenant
    from bluekit.mail.token_cache import open_token_cache

    return MicrosoftSignIn(Tenant.from_options(tenant, client_id), open_token_cache())


def open_reading(db: str | None) -> "Reader | Store":
    """The state database for a command that only reads: a plain connection when the database
    is up to date (no SQLAlchemy to load), else the Store (which brings it forward)."""
    from bluekit.store.reader import open_reader

    return open_reader(db) or open_store(db)


def load_catalogue(campaign_file: Path) -> "Catalogue":
    """The year, languages and catalogue of a validated campaign (the model is loaded only
    when the file, as it is now, was not validated before: see campaign/catalogue.py)."""
    from bluekit.campaign.catalogue import load_catalogue as load_it

    return load_it(campaign_file)


def load(campaign_file: Path) -> "Campaign":
    """The validated campaign (the model is loaded only by the commands that need it)."""
    from bluekit.campaign.load import load_campaign

    return load_campaign(campaign_file)


def with_options(**groups: type[Any]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the options of each group: a frozen dataclass whose fields are Typer
    parameters with defaults, named by the command's parameter it stands in for. Typer sees the
    group's options in that parameter's place; the command receives one instance of the group.

        @with_options(rendering=Rendering)
        def posters(ctx: typer.Context, campaign_file: CampaignFile, rendering: Rendering): ...
    """

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        signature = inspect.signature(command, eval_str=True)
        expanded: list[inspect.Parameter] = []
        for parameter in signature.parameters.values():
            group = groups.get(parameter.name)
            if group is not None:
                expanded += _group_parameters(group)
            elif expanded and expanded[-1].kind is inspect.Parameter.KEYWORD_ONLY:
                # after a group's options (keyword-only: they all have defaults, and Typer
                # passes every parameter by name), the command's own must be too
                expanded.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))
            else:
                expanded.append(parameter)

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> None:
            for name, group in groups.items():
                values = {f.name: kwargs.pop(f.name) for f in dataclasses.fields(group)}
                kwargs[name] = group(**values)
            command(*args, **kwargs)

        # what Typer reads the parameters from (inspect.signature honours __signature__);
        # mypy does not know the attribute on a function
        run.__signature__ = signature.replace(parameters=expanded)  # type: ignore[attr-defined]
        return run

    return decorate


def _group_parameters(group: type[Any]) -> list[inspect.Parameter]:
    hints = typing.get_type_hints(group, include_extras=True)
    return [
        inspect.Parameter(
            field.name, inspect.Parameter.KEYWORD_ONLY, default=field.default,
            annotation=hints[field.name],
        )
        for field in dataclasses.fields(group)
    ]
