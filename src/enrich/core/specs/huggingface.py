"""The Hugging Face Hub's datasets, models and spaces (`enrich.sources.huggingface`): the
``hub`` slot."""

from __future__ import annotations

from enrich.core.links import HUB_KINDS
from enrich.core.model import Entry, HubRepo
from enrich.core.points import lg, within
from enrich.core.spec import Context, Scheme, Shown, Slot, SourceSpec, compared, counter
from enrich.core.wording import compact


def _hub(entry: Entry) -> HubRepo:
    assert entry.hub is not None
    return entry.hub


def _usage(entry: Entry, _: Context) -> float:
    return 2 * lg(_hub(entry).downloads)


def _appreciation(entry: Entry, _: Context) -> float:
    return 2 * lg(_hub(entry).likes)


def _documentation(entry: Entry, _: Context) -> float:
    hub = _hub(entry)
    card = hub.card
    return (
        (1.0 if card is not None and (card.text or "").strip() else 0.0)
        + (1.0 if card is not None and card.license else 0.0)
        + (1.0 if hub.arxiv_ids else 0.0)
    )


def _freshness(entry: Entry, c: Context) -> float:
    return within(c.now, _hub(entry).last_modified, (90, 1.0), (365, 0.5))


def _details(_: Entry, hub: HubRepo, __: Shown) -> list[str]:
    out: list[str] = []
    if hub.likes is not None:
        out.append(f"{compact(hub.likes)} likes")
    licence = hub.card.license if hub.card is not None else None
    if licence:
        out.append(licence)
    return out


def _marks(_: Entry, hub: HubRepo) -> list[str]:
    return [f"gated ({hub.gated})"] if hub.gated else []


HUB = Slot(
    "hub",
    HubRepo,
    columns=(
        compared("hub_sha", "sha"),
        compared("gated"),
        counter("downloads", main=HUB_KINDS, symbol="⬇", unit="/30 d", movers=True,
                legend="⬇ downloads in 30 days"),
        counter("downloads_all_time"),
        counter("likes"),
    ),
    name=lambda hub: hub.repo_id,
    details=_details,
    marks=_marks,
    scheme=Scheme("hub", "Hub datasets, models and spaces", HUB_KINDS, "hub", (
        ("usage", _usage),
        ("appreciation", _appreciation),
        ("documentation", _documentation),
        ("freshness", _freshness),
    )),
)  # fmt: skip

HUGGINGFACE = SourceSpec("huggingface", HUB_KINDS, HUB)
