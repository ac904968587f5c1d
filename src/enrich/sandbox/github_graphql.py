"""The fake API's GitHub GraphQL endpoint: queries executed against GitHub's published schema.

Every query is parsed and validated against GitHub's public SDL, ``schema.graphql`` of the npm
package ``@octokit/graphql-schema`` (MIT; ``make install`` fetches the version the Makefile pins
into ``.cache/github-graphql-schema/``, or ``ENRICH_GITHUB_GRAPHQL_SCHEMA`` names the file), so a
query the real API would reject is rejected here too, with GitHub's error shape (HTTP 200,
``errors`` with ``extensions.code``). Without the schema every repository of a query answers
``null`` with an error that says how to get it. Repositories are built from the same sample
files that answer REST, so both APIs tell the same story.

Quirks kept: an unknown repository is ``null`` in ``data`` plus a ``NOT_FOUND`` error with the
alias in ``path`` (the rest of the batch still answers); ``repository`` follows renames by
default; ``rateLimit { cost }`` is counted the way GitHub documents it (requests to fulfil
every connection, one per parent, divided by 100 and rounded to the nearest whole number, at
least 1), and spent from the ``graphql`` rate limit: points are measured, not assumed.
"""

from __future__ import annotations

import functools
import logging
import math
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    VariableNode,
    build_schema,
    execute_sync,
    get_named_type,
    parse,
    validate,
)


class FakeAPI(Protocol):
    """What the GraphQL endpoint reads of the fake (`enrich.sandbox.server.FakeAPI`)."""

    def load_json(self, relative: str) -> Any: ...

    def redirects(self) -> dict[str, str]: ...


logger = logging.getLogger(__name__)

SCHEMA_ENV = "ENRICH_GITHUB_GRAPHQL_SCHEMA"
# Where `make install` puts it in a checkout (src/enrich/sandbox/ -> the checkout's root).
CHECKOUT_SCHEMA = (
    Path(__file__).resolve().parents[3] / ".cache/github-graphql-schema/schema.graphql"
)
MISSING = (
    "enrich's fake GitHub API has no GraphQL schema: run `make install` (fetches "
    f"@octokit/graphql-schema) or set {SCHEMA_ENV} to a schema.graphql"
)


class SchemaMissing(RuntimeError):
    pass


def schema_path() -> Path | None:
    """GitHub's ``schema.graphql``: ``$ENRICH_GITHUB_GRAPHQL_SCHEMA``, else the checkout's cache."""
    named = os.environ.get(SCHEMA_ENV)
    path = Path(named) if named else CHECKOUT_SCHEMA
    return path if path.is_file() else None


@functools.cache
def _schema(path: Path) -> GraphQLSchema:
    text = path.read_text(encoding="utf-8")
    return build_schema(text, assume_valid=True, assume_valid_sdl=True)


def schema() -> GraphQLSchema:
    """GitHub's schema; its SDL has known duplicate-field quirks, so SDL checks are off."""
    path = schema_path()
    if path is None:
        raise SchemaMissing(MISSING)
    return _schema(path)


def validation_errors(query: str) -> list[str]:
    """What GitHub would say is wrong with ``query`` (empty when it is valid)."""
    try:
        _parsed(query)
    except GraphQLError as exc:
        return [exc.message]
    return [error.message for error in _problems(schema(), query)]


# A night sends a few distinct query texts (one per batch shape) thousands of times: each is
# parsed and validated once (keyed by its text: a document's hash walks its whole tree).
# Documents are only read by validation and execution. A text that does not parse raises, and
# exceptions are not cached: it is parsed again each time it is sent.
@functools.lru_cache(maxsize=256)
def _parsed(query: str) -> DocumentNode:
    return parse(query)


@functools.lru_cache(maxsize=256)
def _problems(github: GraphQLSchema, query: str) -> tuple[GraphQLError, ...]:
    return tuple(validate(github, _parsed(query)))


class NotFound(Exception):
    pass


def answer(
    fake: FakeAPI, query: str, variables: dict[str, Any], charge: Callable[[int], dict[str, int]]
) -> dict[str, Any]:
    """GitHub's JSON answer to one query; ``charge(cost)`` spends its points, returns the limits."""
    try:
        document = _parsed(query)
    except GraphQLError as exc:
        return {"errors": [_error(exc, "parseError")]}
    try:
        github = schema()
    except SchemaMissing:
        logger.warning(MISSING)
        return _unanswerable(document)
    problems = _problems(github, query)
    if problems:
        return {"errors": [_error(e, "undefinedField") for e in problems]}
    cost = _cost(document, variables)
    limits = charge(cost)
    rate_limit = {
        "cost": cost,
        "limit": limits["limit"],
        "remaining": limits["remaining"],
        "used": limits["used"],
        "resetAt": datetime.fromtimestamp(limits["reset"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nodeCount": 0,
    }
    root = {"repository": functools.partial(_repository, fake), "rateLimit": rate_limit}
    result = execute_sync(
        github, document, root_value=root, variable_values=variables,
        field_resolver=_resolve,
    )  # fmt: skip
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [_error(e) for e in result.errors]
    return body


def _unanswerable(document: Any) -> dict[str, Any]:
    """Without the schema: every top-level field ``null``, with an error saying how to get it."""
    keys = [
        (node.alias or node.name).value
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        for node in definition.selection_set.selections
        if isinstance(node, FieldNode)
    ]
    errors = [{"path": [key], "extensions": {"code": "schemaMissing"}, "message": MISSING}
              for key in keys] or [{"message": MISSING}]  # fmt: skip
    return {"data": dict.fromkeys(keys), "errors": errors}


def _resolve(source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
    """Dict sources; a callable value is a field with arguments."""
    value = source.get(info.field_name) if isinstance(source, dict) else None
    return value(**args) if callable(value) else value


def _repository(fake: FakeAPI, owner: str, name: str, followRenames: bool = True) -> Any:
    full_name = f"{owner}/{name}"
    data = fake.load_json(f"github/repos/{full_name}.json")
    if data is None and followRenames:
        target = fake.redirects().get(full_name.lower())
        data = fake.load_json(f"github/repos/{target}.json") if target else None
    if data is None:
        raise NotFound(f"Could not resolve to a Repository with the name '{full_name}'.")
    return _repo_node(fake, data)


def _repo_node(fake: FakeAPI, data: dict[str, Any]) -> dict[str, Any]:
    base = f"github/repos/{data['full_name']}"
    languages: dict[str, int] = fake.load_json(f"{base}/languages.json") or {}
    releases = fake.load_json(f"{base}/releases.json") or []
    published = [r for r in releases if not r.get("draft") and not r.get("prerelease")]
    commits = fake.load_json(f"{base}/commits.json") or []
    topics = list(data.get("topics") or [])
    license_info = data.get("license") or None

    def language_connection(first: int | None = None, **_: Any) -> dict[str, Any]:
        ordered = sorted(languages.items(), key=lambda kv: -kv[1])[: first or 100]
        return {
            "totalCount": len(languages),
            "totalSize": sum(languages.values()),
            "edges": [{"size": size, "node": {"name": lang}} for lang, size in ordered],
            "nodes": [{"name": lang} for lang, _size in ordered],
        }

    def topic_connection(first: int | None = None, **_: Any) -> dict[str, Any]:
        chosen = topics[: first or 100]
        return {
            "totalCount": len(topics),
            "nodes": [{"topic": {"name": t}} for t in chosen],
        }

    def count(total: int) -> Callable[..., dict[str, Any]]:
        return lambda **_: {"totalCount": total}

    def history(since: str | None = None, until: str | None = None, **_: Any) -> dict[str, Any]:
        def when(c: dict[str, Any]) -> datetime:
            return _time(c["commit"]["committer"]["date"])

        low = _time(since) if since else None
        high = _time(until) if until else None
        picked = [c for c in commits if (low is None or when(c) >= low)]
        picked = [c for c in picked if (high is None or when(c) <= high)]
        return {"totalCount": len(picked)}

    head = commits[0] if commits else None
    target = None
    if head is not None:
        target = {
            "__typename": "Commit",
            "oid": head["sha"],
            "committedDate": head["commit"]["committer"]["date"],
            "authoredDate": head["commit"]["author"]["date"],
            "history": history,
        }
    release = published[0] if published else None
    return {
        "id": data.get("node_id"),
        "databaseId": data["id"],
        "name": data["name"],
        "nameWithOwner": data["full_name"],
        "owner": {"__typename": "Organization", "login": data["owner"]["login"]},
        "url": data["html_url"],
        "description": data.get("description"),
        "homepageUrl": data.get("homepage"),
        "stargazerCount": data["stargazers_count"],
        "forkCount": data["forks_count"],
        "watchers": count(data.get("subscribers_count", 0)),
        # REST's open_issues_count counts issues and pull requests together; the sample data
        # has only that sum, so the fake calls it all issues.
        "issues": count(data["open_issues_count"]),
        "pullRequests": count(0),
        "primaryLanguage": {"name": data["language"]} if data.get("language") else None,
        "languages": language_connection,
        "licenseInfo": _license(license_info),
        "repositoryTopics": topic_connection,
        "createdAt": data.get("created_at"),
        "updatedAt": data.get("updated_at"),
        "pushedAt": data.get("pushed_at"),
        "isArchived": bool(data.get("archived")),
        "isFork": bool(data.get("fork")),
        "isPrivate": bool(data.get("private")),
        "isDisabled": bool(data.get("disabled")),
        "diskUsage": data.get("size"),
        "defaultBranchRef": (
            {"name": data.get("default_branch"), "target": target} if target else None
        ),
        "latestRelease": _release(release),
    }


def _license(info: dict[str, Any] | None) -> dict[str, Any] | None:
    if not info:
        return None
    return {"spdxId": info.get("spdx_id"), "name": info.get("name"), "key": info.get("key")}


def _release(release: dict[str, Any] | None) -> dict[str, Any] | None:
    if not release:
        return None
    return {
        "tagName": release["tag_name"],
        "name": release.get("name"),
        "publishedAt": release.get("published_at"),
        "url": release.get("html_url"),
        "isPrerelease": False,
        "isDraft": False,
    }


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _cost(document: Any, variables: dict[str, Any] | None = None) -> int:
    """GitHub's documented point value: add up the requests needed to fulfil each unique
    connection (one per parent object, assuming every page reaches its ``first``/``last``),
    divide by 100, round to the nearest whole number; at least 1.

    Every field whose type is a connection is counted, ``issues { totalCount }`` too: GitHub
    answers those without ``first``, and each still needs a request per parent. Fragments are
    followed, so a query's cost does not depend on how it is spelt."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    github = schema()
    requests = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            root = github.get_root_type(definition.operation)
            walk = _Walk(github, fragments, variables or {})
            requests += walk.connections(definition.selection_set, root, 1)
    return max(1, math.floor(requests / 100 + 0.5))


class _Walk:
    """The connections of one operation, with the number of parents each is asked for."""

    def __init__(
        self, github: GraphQLSchema, fragments: dict[str, Any], variables: dict[str, Any]
    ) -> None:
        self.github, self.fragments, self.variables = github, fragments, variables

    def connections(self, selection_set: Any, parent: Any, parents: int) -> int:
        if selection_set is None or parent is None:
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    kind = self.github.get_type(fragment.type_condition.name.value)
                    total += self.connections(fragment.selection_set, kind, parents)
            elif isinstance(node, InlineFragmentNode):
                cond = node.type_condition
                kind = self.github.get_type(cond.name.value) if cond else parent
                total += self.connections(node.selection_set, kind, parents)
            elif isinstance(node, FieldNode):
                total += self.field(node, parent, parents)
        return total

    def field(self, node: FieldNode, parent: Any, parents: int) -> int:
        fields = getattr(parent, "fields", None) or {}
        definition = fields.get(node.name.value)
        if definition is None:  # __typename, or a type with no fields
            return 0
        kind = get_named_type(definition.type)
        if not kind.name.endswith("Connection"):
            return self.connections(node.selection_set, kind, parents)
        page = self.page(node)
        return parents + self.connections(node.selection_set, kind, parents * page)

    def page(self, node: FieldNode) -> int:
        """``first`` or ``last`` (a literal or a variable); else GitHub's largest page."""
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                value = argument.value
                if isinstance(value, VariableNode):
                    found = self.variables.get(value.name.value)
                    return int(found) if isinstance(found, int) else 100
                return int(getattr(value, "value", 100) or 100)
        return 100


def _error(error: GraphQLError, code: str | None = None) -> dict[str, Any]:
    """One entry of ``errors`` as GitHub writes it."""
    out: dict[str, Any] = {}
    if isinstance(error.original_error, NotFound):
        out["type"] = "NOT_FOUND"
    if error.path:
        out["path"] = list(error.path)
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if code:
        out["extensions"] = {"code": code}
    out["message"] = error.message
    return out
