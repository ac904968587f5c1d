"""``croissant.json``: the dataset in MLCommons Croissant 1.1 (JSON-LD), so that tools reading
Croissant (mlcroissant, TFDS, search engines' dataset crawlers) find its files and their typed
records without reading our README.

Generated here from the same table declarations as the card (`enrich.views.tables`, from the
models), not through the `mlcroissant` library: that library pulls in rdflib, networkx, scipy
and pandas to *read and execute* Croissant, while writing it is a JSON document; a nightly run
should not carry that weight. The tests validate every generated file with mlcroissant and read
its records back through it.

::

    distribution  latest.parquet, latest.json (cr:FileObject), history/*/*.parquet (cr:FileSet)
    recordSet     one per table: a cr:Field per column; struct columns have subField, list
                  columns isArray; each leaf's source is its Parquet column plus jsonPath steps

The dataset is declared live (``isLiveDataset``): it is rebuilt every night, so files carry no
checksum that the next night would falsify.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import orjson

from enrich.views import Published
from enrich.views.card import TAGS, title
from enrich.views.tables import Column, Table, tables

name = "croissant"
PATH = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
PARQUET = "application/x-parquet"

# Croissant 1.1's standard @context (as mlcroissant writes it).
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}


def render(published: Published) -> Mapping[str, bytes]:
    # orjson writes the bytes json.dumps(indent=2, ensure_ascii=False) writes for a document of
    # strings, booleans, lists and objects (the only float it would spell otherwise, below
    # 1e-4, never occurs here), some 50 times faster: the record sets are ~1,000 fields.
    return {PATH: orjson.dumps(document(published), option=orjson.OPT_INDENT_2) + b"\n"}


def document(published: Published) -> dict[str, Any]:
    header = published.snapshot.header
    built = header.generated_at
    repo = published.about.hub_repo
    dataset_title = title(published)
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": dataset_title,
        "description": (
            f"Every link of the awesome list {header.list_source} (sha256 "
            f"{header.list_sha256}), enriched from its upstream API (arXiv, GitHub, the "
            "Hugging Face Hub), rebuilt every night, with a daily history of every counter."
            + (f" {published.about.notice}" if published.about.notice else "")
        ),
        "license": published.about.license or "unknown",
        "url": f"https://huggingface.co/datasets/{repo}" if repo else "README.md",
        "version": f"{header.schema_version}.0+{built.strftime('%Y%m%d')}",
        "datePublished": built.isoformat(),
        "dateModified": built.isoformat(),
        "isLiveDataset": True,
        "keywords": TAGS,
        "citeAs": (
            f"@misc{{enrich_{built.year},\n  title = {{{_bib(dataset_title)}}},\n"
            f"  note = {{Built from {_bib(header.list_source)}}},\n  year = {{{built.year}}}\n}}"
        ),
        "distribution": distribution(tables(published)),
        "recordSet": [_record_set(t) for t in tables(published)],
    }
    return doc


def distribution(tables_: list[Table]) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = []
    for table in tables_:
        if table.is_file_set:
            files.append({
                "@type": "cr:FileSet", "@id": _source_id(table), "name": _source_id(table),
                "description": f"The Parquet files of table {table.config}",
                "encodingFormat": PARQUET, "includes": table.files,
            })  # fmt: skip
        else:
            files.append({
                "@type": "cr:FileObject", "@id": table.files, "name": table.files,
                "contentUrl": table.files, "encodingFormat": PARQUET,
            })  # fmt: skip
    if any(t.files == "latest.parquet" for t in tables_):
        files.append({
            "@type": "cr:FileObject", "@id": "latest.json", "name": "latest.json",
            "contentUrl": "latest.json", "encodingFormat": "application/json",
            "description": "The same snapshot as latest.parquet, as JSON",
            "sameAs": "latest.parquet",
        })  # fmt: skip
    return files


def _source_id(table: Table) -> str:
    return f"{table.config}-files" if table.is_file_set else table.files


@functools.lru_cache(maxsize=16)
def _record_set(table: Table) -> dict[str, Any]:
    """`record_set`, once per process per table (the same every list and night); the document
    holds it as it is and is never changed after it is made."""
    return record_set(table)


def record_set(table: Table) -> dict[str, Any]:
    source_key = "fileSet" if table.is_file_set else "fileObject"
    reference = {source_key: {"@id": _source_id(table)}}
    fields = [_field(table.config, c, reference, c.name, []) for c in table.columns]
    result: dict[str, Any] = {
        "@type": "cr:RecordSet",
        "@id": table.config,
        "name": table.config,
        "description": table.description,
        "field": fields,
    }
    if any(c.name == "id" for c in table.columns) and not table.is_file_set:
        result["key"] = {"@id": f"{table.config}/id"}
    return result


def _field(
    parent: str, column: Column, reference: dict[str, Any], top: str, steps: list[str]
) -> dict[str, Any]:
    """A cr:Field for ``column``. Every field reads its top-level Parquet column; a nested one
    walks down to itself with one jsonPath step per level (a step over a list maps each item)."""
    field_id = f"{parent}/{column.name}"
    field: dict[str, Any] = {"@type": "cr:Field", "@id": field_id, "name": column.name}
    if column.description:
        field["description"] = column.description
    if column.repeated:
        field["isArray"] = True
    if column.children:
        field["subField"] = [_field(field_id, c, reference, top, [*steps, c.name])
                             for c in column.children]  # fmt: skip
    else:
        field["dataType"] = column.croissant
    field["source"] = _source(reference, top, steps)
    return field


def _source(reference: dict[str, Any], column: str, steps: list[str]) -> dict[str, Any]:
    source: dict[str, Any] = {**reference, "extract": {"column": column}}
    if steps:
        source["transform"] = [{"jsonPath": step} for step in steps]
    return source


def _bib(text: str) -> str:
    return text.replace("{", "(").replace("}", ")")
