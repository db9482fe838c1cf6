"""Load the feed catalogue from its YAML files, resolving layouts and fragments."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Iterator

import yaml

from ingest_connectors.catalogue.model import Feed, Lookup, RecordType, Sector

CATALOGUE_DIR = Path(__file__).resolve().parent
#: The platform folder's own lookups (every other YAML file there is a platform "sector").
PLATFORM_LOOKUPS = "lookups.yaml"


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the file."""


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML: {exc}") from exc


def _substitute(value: Any, params: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, replacement in params.items():
            value = value.replace("{" + key + "}", replacement)
        return value
    if isinstance(value, list):
        return [_substitute(v, params) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, params) for k, v in value.items()}
    return value


def _expand_fields(items: list[dict], root: Path) -> list[dict]:
    """Replace ``{fragment: name, KEY: value}`` entries by the fragment's fields."""
    fields: list[dict] = []
    for item in items or []:
        if "fragment" in item:
            params = {k: str(v) for k, v in item.items() if k != "fragment"}
            fragment = _read_yaml(root / "fragments" / f"{item['fragment']}.yaml")
            fields.extend(_substitute(fragment, params))
        else:
            fields.append(item)
    return fields


def _resolve_record_type(raw: dict, root: Path) -> dict:
    raw = dict(raw)
    layout_name = raw.pop("layout", None)
    own_fields = raw.pop("fields", [])
    if layout_name is None:
        merged = dict(raw)
        merged["fields"] = _expand_fields(own_fields, root)
        return merged
    layout = _read_yaml(root / "layouts" / f"{layout_name}.yaml")
    includes = layout.pop("include", [])
    layout_fields = layout.pop("fields", [])
    merged = {**layout, **raw, "layout": layout_name}
    fields = _expand_fields(includes, root) + _expand_fields(layout_fields, root)
    # Sector-specific fields come before the authority block's trailing remarks, but order only
    # matters for generated files; the column name is what identifies a field.
    fields += _expand_fields(own_fields, root)
    merged["fields"] = fields
    return merged


def load_sector(path: Path, root: Path = CATALOGUE_DIR) -> Sector:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise CatalogueError(f"{path}: expected a mapping, not {type(raw).__name__}")
    try:
        raw["record_types"] = [_resolve_record_type(r, root) for r in raw.get("record_types", [])]
        return Sector.model_validate(raw)
    # OSError: an unknown layout or fragment name (its file is missing) is this file's error too.
    except (ValueError, TypeError, KeyError, OSError) as exc:
        raise CatalogueError(f"{path}: {exc}") from exc


class Catalogue:
    """All sectors, their feeds and the value lookups.

    ``sectors`` are the 20 sectors of REFERENCE §9. ``platform`` holds the credit office's own
    platform (``platform/*.yaml``, same schema): the post-event lifecycle feeds — credit repair,
    objections, commitments, interviews and rectification, voluntary registration — which refer
    to the sectors' records rather than being credit records of a sector. ``feeds()`` yields both
    (sector feeds first), so they are landed, staged and gated like any feed; consumers that want
    only credit records use ``feeds(include_platform=False)``.
    """

    def __init__(self, sectors: list[Sector], lookups: dict[str, Lookup],
                 platform: list[Sector] | None = None):
        self.sectors = sorted(sectors, key=lambda s: s.number)
        self.platform = sorted(platform or [], key=lambda s: s.number)
        self.lookups = lookups
        slugs = [s.slug for s in self.sectors + self.platform]
        if len(slugs) != len(set(slugs)):
            raise CatalogueError(f"a platform slug repeats a sector slug: {sorted(slugs)}")
        self._check_lookups()

    def _check_lookups(self) -> None:
        for feed in self.feeds():
            for f in feed.record_type.fields:
                if f.lookup and f.lookup not in self.lookups:
                    raise CatalogueError(f"{feed.key}.{f.column}: unknown lookup {f.lookup!r}")

    def feeds(self, include_platform: bool = True) -> Iterator[Feed]:
        for sector in self.sectors + (self.platform if include_platform else []):
            for record_type in sector.record_types:
                yield Feed(sector=sector, record_type=record_type)

    def is_platform(self, feed_or_sector: Feed | Sector) -> bool:
        sector = feed_or_sector.sector if isinstance(feed_or_sector, Feed) else feed_or_sector
        return any(sector.slug == p.slug for p in self.platform)

    def feed(self, key: str) -> Feed:
        for feed in self.feeds():
            if feed.key == key:
                return feed
        raise KeyError(f"no feed {key!r} in the catalogue")

    def sector(self, slug: str) -> Sector:
        for sector in self.sectors + self.platform:
            if sector.slug == slug:
                return sector
        raise KeyError(f"no sector {slug!r} in the catalogue")


def load_catalogue(root: Path = CATALOGUE_DIR) -> Catalogue:
    lookups_raw = _read_yaml(root / "lookups.yaml")
    lookups = {name: Lookup(name=name, **spec) for name, spec in lookups_raw.items()}
    platform_lookups = root / "platform" / PLATFORM_LOOKUPS
    if platform_lookups.exists():
        for name, spec in (_read_yaml(platform_lookups) or {}).items():
            if name in lookups:
                raise CatalogueError(f"{platform_lookups}: lookup {name!r} is already defined in lookups.yaml")
            lookups[name] = Lookup(name=name, **spec)
    sectors = [load_sector(p, root) for p in sorted((root / "sectors").glob("*.yaml"))]
    platform = [load_sector(p, root) for p in sorted((root / "platform").glob("*.yaml"))
                if p.name != PLATFORM_LOOKUPS]
    return Catalogue(sectors, lookups, platform)


@functools.cache
def catalogue() -> Catalogue:
    """The project's catalogue, loaded once per process."""
    return load_catalogue()
