"""MoPI review groups: configuration (a YAML file) or built-in defaults to check against current guidance.

A file named by ``COUNTERFLOW_RETENTION_FILE``::

    default_group: "3"
    groups:
      "1": {name: certain public protection matters, review_years: 10}
      "2": {name: other sexual, violent or serious offences, review_years: 10}
      "3": {name: all other offences, review_years: 6}

Without one, ``DEFAULTS`` apply: they follow the MoPI review groups as published by the
College of Policing and **must be checked against current MoPI guidance** before use.
The built-in default group is 3, the shortest period: a review disposes of nothing by
itself, so an early review is the safe mistake.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from counterflow.errors import ConfigurationError, InvalidValue

RETENTION_ENV = "COUNTERFLOW_RETENTION_FILE"


@dataclass(frozen=True, slots=True)
class ReviewGroup:
    name: str
    review_years: int


@dataclass(frozen=True, slots=True)
class RetentionConfig:
    groups: dict[str, ReviewGroup]
    default_group: str
    source: str  # the file, or a note that these are the built-in defaults

    def years(self, group: str) -> int:
        if group not in self.groups:
            raise ConfigurationError(
                f"unknown review group {group!r}", group=group, known=sorted(self.groups)
            )
        return self.groups[group].review_years


DEFAULTS = RetentionConfig(
    groups={
        "1": ReviewGroup("certain public protection matters", 10),
        "2": ReviewGroup("other sexual, violent or serious offences", 10),
        "3": ReviewGroup("all other offences", 6),
    },
    default_group="3",
    source="built-in defaults (MoPI review groups): check them against current MoPI guidance",
)


def load_config(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> RetentionConfig:
    """The review groups from ``path``, else from COUNTERFLOW_RETENTION_FILE, else ``DEFAULTS``."""
    env = os.environ if env is None else env
    where = path or env.get(RETENTION_ENV)
    if not where:
        return DEFAULTS
    try:
        data = yaml.safe_load(Path(where).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"cannot read the retention file {where}: {exc}", path=str(where)) from None
    problems: list[str] = []
    groups: dict[str, ReviewGroup] = {}
    raw_groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(raw_groups, dict) or not raw_groups:
        problems.append("'groups' must map group names to {name, review_years}")
        raw_groups = {}
    for key, spec in raw_groups.items():
        years = spec.get("review_years") if isinstance(spec, dict) else None
        if not isinstance(years, int) or isinstance(years, bool) or years < 1:
            problems.append(f"group {key}: review_years must be a whole number of years, at least 1")
            continue
        groups[str(key)] = ReviewGroup(str(spec.get("name") or key), years)
    default = str(data.get("default_group", "")) if isinstance(data, dict) else ""
    if groups and default not in groups:
        problems.append(f"default_group {default!r} is not one of the groups ({', '.join(sorted(groups))})")
    if problems:
        raise ConfigurationError(f"retention file {where}: " + "; ".join(problems), problems=problems)
    return RetentionConfig(groups, default, str(where))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def as_day(value: date | str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidValue("date", value, "expected YYYY-MM-DD") from None


__all__ = [
    "DEFAULTS",
    "RETENTION_ENV",
    "RetentionConfig",
    "ReviewGroup",
    "add_years",
    "as_day",
    "load_config",
]
