"""The report header a non-native source lacks: agency, report id, date, grading, handling.

FollowTheMoney files and spreadsheets carry entities but no intelligence metadata, so
the header comes from the command line (``from_options``) or from the ``report:``
section of a small YAML file (``from_yaml``, the same section a mapping has). Every
missing or invalid option is collected into one ``ConfigurationError``.

Grading and handling are accepted as mappings (``{scheme: 4x4, source: B,
information: "2"}``) or compact strings: ``4x4:B2``, ``3x5x2:1B``, ``SIENA:H0``,
``SIENA:H3:conditions text``, ``3x5x2:C:conditions text``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from counterflow.errors import ConfigurationError, InvalidValue
from counterflow.ingest.report import FORMAT
from counterflow.model.agencies import validate_agency
from counterflow.model.grading import Grading
from counterflow.model.handling import Classification, Handling
from counterflow.model.normalise import normalise_date

MAX_YAML = 1024 * 1024
HEADER_KEYS = (
    "agency",
    "id",
    "reported_at",
    "observed_at",
    "grading",
    "handling",
    "classification",
    "language",
    "sanitised",
)
_LANG = re.compile(r"^[a-z]{2}$")


def scalar(value: Any) -> str | None:
    """A YAML scalar as text: ``2`` → ``"2"``, an unquoted date → ISO; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str | int | float):
        return str(value).strip()
    raise TypeError(type(value).__name__)


@dataclass(frozen=True)
class ReportHeader:
    """Intelligence metadata shared by every report a reader builds from one source.

    ``report_id`` and ``reported_at`` may be ``None`` only inside a mapping that takes
    them from columns (``id_column``, ``reported_at_column``); readers that need them
    call ``require``.
    """

    agency: str
    report_id: str | None
    reported_at: str | None
    grading: dict[str, str] = field(hash=False)
    handling: dict[str, str] = field(hash=False)
    classification: str
    language: str | None = None
    observed_at: str | None = None
    sanitised: bool = False  # sent sanitised to protect a source: intelligence, never evidence

    def require(self, what: str) -> None:
        """Raise ConfigurationError unless the report id and date are set (FtM readers need both)."""
        missing = [k for k, v in (("report id", self.report_id), ("reported_at", self.reported_at)) if not v]
        if missing:
            raise ConfigurationError(
                f"{what} needs a report header with {' and '.join(missing)}",
                problems=[f"{m}: missing" for m in missing],
            )

    def native(self, report_id: str, reported_at: str | None = None) -> dict[str, Any]:
        """The header fields of a native ``counterflow.report/1`` dict (entities not included)."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "agency": self.agency,
            "report_id": report_id,
            "reported_at": reported_at or self.reported_at,
            "grading": dict(self.grading),
            "handling": dict(self.handling),
            "classification": self.classification,
        }
        if self.observed_at:
            data["observed_at"] = self.observed_at
        if self.language:
            data["language"] = self.language
        if self.sanitised:
            data["sanitised"] = True
        return data

    @classmethod
    def from_dict(
        cls, raw: Any, where: str = "report", *, partial: bool = False, extra_keys: Iterable[str] = ()
    ) -> ReportHeader:
        """A header from a ``report:`` mapping; raises ConfigurationError listing every problem."""
        problems: list[str] = []
        header = parse_header(raw, where, problems, partial=partial, extra_keys=extra_keys)
        if problems or header is None:
            raise ConfigurationError(f"invalid {where} ({len(problems)} problems)", problems=problems)
        return header

    @classmethod
    def from_yaml(cls, path: str | Path) -> ReportHeader:
        """The ``report:`` section of a YAML file (other top-level sections are ignored)."""
        data = load_yaml(Path(path))
        if not isinstance(data, dict) or "report" not in data:
            raise ConfigurationError(f"{path}: no report: section", problems=[f"{path}: no report: section"])
        return cls.from_dict(data["report"], f"{Path(path).name} report")

    @classmethod
    def from_options(
        cls,
        *,
        agency: str | None = None,
        report_id: str | None = None,
        reported_at: str | None = None,
        grading: str | dict[str, Any] | None = None,
        handling: str | dict[str, Any] | None = None,
        classification: str | None = None,
        language: str | None = None,
        observed_at: str | None = None,
    ) -> ReportHeader:
        """A header from command-line options, e.g. ``grading="4x4:B2"``, ``handling="SIENA:H0"``."""
        raw = {
            "agency": agency,
            "id": report_id,
            "reported_at": reported_at,
            "grading": grading,
            "handling": handling,
            "classification": classification,
            "language": language,
            "observed_at": observed_at,
        }
        return cls.from_dict({k: v for k, v in raw.items() if v is not None}, "options")


def load_yaml(path: Path) -> Any:
    """Parse a YAML file safely (size-capped); problems become ConfigurationError."""
    try:
        if path.stat().st_size > MAX_YAML:
            raise ConfigurationError(f"{path}: YAML file larger than 1 MiB", problems=[f"{path}: too large"])
        return yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        msg = f"{path}: cannot read ({exc.strerror})"
        raise ConfigurationError(msg, problems=[msg]) from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path}: not UTF-8", problems=[f"{path}: not UTF-8 text"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise ConfigurationError(
            f"{path}{at}: invalid YAML: {reason}", problems=[f"{path}{at}: invalid YAML: {reason}"]
        ) from None


def parse_grading(raw: Any) -> dict[str, str]:
    """``{scheme, source, information}`` from a mapping or ``scheme:SI``; raises InvalidValue."""
    if isinstance(raw, str):
        scheme, sep, codes = raw.strip().partition(":")
        if not sep or len(codes.strip()) != 2:
            raise InvalidValue("grading", raw, "expected scheme:codes such as 4x4:B2, 3x5x2:1B or 5x5x5:B2")
        raw = {"scheme": scheme, "source": codes.strip()[0], "information": codes.strip()[1]}
    if not isinstance(raw, dict):
        raise InvalidValue("grading", str(raw), "expected {scheme, source, information} or 4x4:B2")
    unknown = sorted(set(map(str, raw)) - {"scheme", "source", "information"})
    if unknown:
        raise InvalidValue("grading", str(raw), f"unknown keys {', '.join(unknown)}")
    values = {k: scalar(raw.get(k)) or "" for k in ("scheme", "source", "information")}
    Grading.parse(values["scheme"], values["source"], values["information"])
    return values


def parse_handling(raw: Any) -> dict[str, str]:
    """``{scheme, code, conditions?}`` from a mapping or ``scheme:code[:conditions]``; raises InvalidValue."""
    if isinstance(raw, str):
        parts = raw.strip().split(":", 2)
        if len(parts) < 2:
            raise InvalidValue("handling", raw, "expected scheme:code[:conditions] such as SIENA:H0")
        raw = {"scheme": parts[0], "code": parts[1], **({"conditions": parts[2]} if len(parts) == 3 else {})}
    if not isinstance(raw, dict):
        raise InvalidValue("handling", str(raw), "expected {scheme, code, conditions?} or SIENA:H0")
    unknown = sorted(set(map(str, raw)) - {"scheme", "code", "conditions"})
    if unknown:
        raise InvalidValue("handling", str(raw), f"unknown keys {', '.join(unknown)}")
    values = {k: scalar(raw.get(k)) or "" for k in ("scheme", "code", "conditions")}
    parsed = Handling.parse(values["scheme"], values["code"], values["conditions"] or None)
    out = {"scheme": parsed.scheme.value, "code": parsed.code}
    if parsed.conditions:
        out["conditions"] = parsed.conditions
    return out


def parse_header(
    raw: Any, where: str, problems: list[str], *, partial: bool = False, extra_keys: Iterable[str] = ()
) -> ReportHeader | None:
    """Check a ``report:`` section, appending one line per problem; ``None`` if any was found.

    ``partial`` allows the id and date to be missing (a mapping may take them from
    columns); ``extra_keys`` are accepted and left to the caller.
    """
    start = len(problems)
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping of {', '.join(HEADER_KEYS)}")
        return None
    allowed = set(HEADER_KEYS) | set(extra_keys)
    for key in raw:
        if key not in allowed:
            problems.append(f"{where}.{key}: unknown key (known: {', '.join(sorted(allowed))})")
    text: dict[str, str | None] = {}
    for key in ("agency", "id", "reported_at", "observed_at", "classification", "language"):
        try:
            text[key] = scalar(raw.get(key))
        except TypeError as exc:
            problems.append(f"{where}.{key}: expected text, got {exc}")
            text[key] = None
    required = ["agency", "classification", "grading", "handling"]
    required += [] if partial else ["id", "reported_at"]
    for key in required:
        if raw.get(key) in (None, ""):
            problems.append(f"{where}.{key}: missing")

    def check(key: str, fn: Any) -> Any:
        try:
            return fn()
        except InvalidValue as exc:
            problems.append(f"{where}.{key}: {exc.value!r} {exc.reason}")
            return None

    agency, classification = text["agency"], text["classification"]
    if agency:
        check("agency", lambda: validate_agency(agency))
    if classification:
        classification = check("classification", lambda: Classification.parse(classification).value)
    for key in ("reported_at", "observed_at"):
        value = text[key]
        if value:
            check(key, lambda v=value: normalise_date(v))
    language = text["language"]
    if language and not _LANG.match(language):
        problems.append(f"{where}.language: {language!r} is not a two-letter ISO 639-1 code")
    sanitised = raw.get("sanitised", False)
    if not isinstance(sanitised, bool):
        problems.append(f"{where}.sanitised: expected true or false")
    report_id = text["id"]
    if report_id is not None and not 1 <= len(report_id) <= 128:
        problems.append(f"{where}.id: must be 1-128 characters")
    grading = check("grading", lambda: parse_grading(raw["grading"])) if raw.get("grading") else None
    handling = check("handling", lambda: parse_handling(raw["handling"])) if raw.get("handling") else None
    if len(problems) > start or not (agency and classification and grading and handling):
        return None
    return ReportHeader(
        agency=agency,
        report_id=report_id or None,
        reported_at=text["reported_at"] or None,
        grading=grading,
        handling=handling,
        classification=classification,
        language=language or None,
        observed_at=text["observed_at"] or None,
        sanitised=sanitised is True,
    )
