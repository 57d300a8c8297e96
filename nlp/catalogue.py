"""Discretion-benchmark catalogues in the ``zhifa.benchmarks/1`` interchange format.

The format is a contract (``docs/specs/benchmark-catalogue.md``): unknown keys are
ignored, a missing required key is an error naming the item and the key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

FORMAT = "zhifa.benchmarks/1"
RULE_KINDS = (
    "no_penalty",
    "first_offence_may_exempt",
    "mitigate",
    "aggravate",
    "time_barred",
)
PARTIES = ("any", "individual", "organization")
UNITS = ("yuan", "multiple", "percent", "yuan_per_unit")


class CatalogueError(ValueError):
    """A catalogue that does not follow the format; the message is in Chinese.

    ``errors`` lists every problem found (each naming the item and the key); the
    message is the first of them, followed by a count when there are more.
    """

    def __init__(self, message: str, errors: list[str] | None = None):
        self.errors = list(errors) if errors else [message]
        if len(self.errors) > 1:
            message = f"{self.errors[0]}（另有 {len(self.errors) - 1} 处错误）"
        super().__init__(message)


@dataclass(frozen=True)
class FineRange:
    party: str
    min: float | None
    max: float | None
    unit: str
    base: str | None = None
    # Optional extension (not in the spec, ignored by other readers): the condition
    # under which this row applies, e.g. "货值金额不足一万元" for 食品安全法 rows.
    condition: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = {
            "party": self.party,
            "min": self.min,
            "max": self.max,
            "unit": self.unit,
        }
        if self.base is not None:
            data["base"] = self.base
        if self.condition:
            data["condition"] = self.condition
        return data


@dataclass(frozen=True)
class Tier:
    level: str
    condition: str
    measures: tuple[str, ...]
    fines: tuple[FineRange, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "condition": self.condition,
            "measures": list(self.measures),
            "fines": [f.to_json() for f in self.fines],
        }


@dataclass(frozen=True)
class Item:
    id: str
    domain: str
    violation: str
    violated_provisions: tuple[str, ...]
    penalty_provisions: tuple[str, ...]
    statutory_measures: tuple[str, ...]
    statutory_fines: tuple[FineRange, ...]
    tiers: tuple[Tier, ...]
    catalogue: str = ""

    def tier(self, level: str | None) -> Tier | None:
        """Return the tier named ``level``, or None."""
        return next((t for t in self.tiers if t.level == level), None)

    @property
    def text(self) -> str:
        """The item's descriptive text, used for retrieval."""
        parts = [self.violation, *self.violated_provisions, *self.penalty_provisions]
        parts += [t.condition for t in self.tiers]
        return "。".join(p for p in parts if p)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "domain": self.domain,
            "violation": self.violation,
            "violated_provisions": list(self.violated_provisions),
            "penalty_provisions": list(self.penalty_provisions),
            "statutory": {
                "measures": list(self.statutory_measures),
                "fines": [f.to_json() for f in self.statutory_fines],
            },
            "tiers": [t.to_json() for t in self.tiers],
        }


@dataclass(frozen=True)
class GeneralRule:
    id: str
    kind: str
    basis: str
    condition: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "basis": self.basis,
            "condition": self.condition,
        }


@dataclass
class Catalogue:
    name: str
    issuer: str
    jurisdiction: str
    effective_from: date | None
    effective_to: date | None
    general_rules: list[GeneralRule] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    source: str = ""

    def in_force_on(self, on: date | None) -> bool:
        """True when the catalogue applies on ``on`` (always when ``on`` is None)."""
        if on is None:
            return True
        if self.effective_from and on < self.effective_from:
            return False
        return not (self.effective_to and on > self.effective_to)

    def to_json(self) -> dict[str, Any]:
        """Serialise back to the interchange format."""
        return {
            "format": FORMAT,
            "name": self.name,
            "issuer": self.issuer,
            "jurisdiction": self.jurisdiction,
            "effective_from": _iso(self.effective_from),
            "effective_to": _iso(self.effective_to),
            "general_rules": [r.to_json() for r in self.general_rules],
            "items": [i.to_json() for i in self.items],
        }


def load_catalogue(path: str | Path) -> Catalogue:
    """Read and validate a catalogue file.

    :param path: a ``.json`` file in the ``zhifa.benchmarks/1`` format.
    :return: the parsed :class:`Catalogue`.
    :raises CatalogueError: unreadable JSON or a format violation.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"无法读取裁量基准文件 {path}：{exc.strerror}") from exc
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogueError(
            f"裁量基准文件 {path.name} 不是有效的 UTF-8 JSON：{exc}"
        ) from exc
    catalogue = parse_catalogue(data)
    catalogue.source = str(path)
    return catalogue


def parse_catalogue(data: Any) -> Catalogue:
    """Validate a decoded JSON object and build a :class:`Catalogue`.

    :param data: the decoded JSON document.
    :return: the catalogue.
    :raises CatalogueError: naming the item and the key that is wrong.
    """
    if not isinstance(data, dict):
        raise CatalogueError("裁量基准文件的顶层必须是 JSON 对象")
    if data.get("format") != FORMAT:
        raise CatalogueError(f"format 必须为 “{FORMAT}”，实际为 “{data.get('format')}”")
    # Every problem is collected (one per rule, tier or top-level key) so that an
    # import preview can list them all; the first one is the exception's message.
    errors: list[str] = []
    where = "裁量基准"

    def check(func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except CatalogueError as exc:
            errors.extend(exc.errors)
            return None

    name = check(_str, data, "name", where) or ""
    catalogue = Catalogue(
        name=name,
        issuer=check(_str, data, "issuer", where) or "",
        jurisdiction=check(_str, data, "jurisdiction", where) or "",
        effective_from=check(_date, data, "effective_from", where, required=True),
        effective_to=check(_date, data, "effective_to", where, required=False),
    )
    if (
        catalogue.effective_from
        and catalogue.effective_to
        and catalogue.effective_to < catalogue.effective_from
    ):
        errors.append(f"{where}：effective_to 早于 effective_from")
    rules = check(_list, data, "general_rules", where, required=False) or []
    seen_rules: set[str] = set()
    for index, raw_rule in enumerate(rules):
        rule = check(_rule, raw_rule, index)
        if rule is None:
            continue
        if rule.id in seen_rules:
            errors.append(f"通用规则 {rule.id}：id 重复")
        seen_rules.add(rule.id)
        catalogue.general_rules.append(rule)
    items = check(_list, data, "items", where, required=True) or []
    seen: set[str] = set()
    for index, raw_item in enumerate(items):
        item = check(_item, raw_item, index, name)
        if item is None:
            continue
        if item.id in seen:
            errors.append(f"事项 {item.id}：id 重复")
        seen.add(item.id)
        catalogue.items.append(item)
    if errors:
        raise CatalogueError(errors[0], errors)
    return catalogue


def _rule(raw: Any, index: int) -> GeneralRule:
    where = f"通用规则第{index + 1}条"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}必须是 JSON 对象")
    rule_id = _str(raw, "id", where)
    where = f"通用规则 {rule_id}"
    kind = _str(raw, "kind", where)
    if kind not in RULE_KINDS:
        raise CatalogueError(
            f"{where}：kind “{kind}” 不在 {', '.join(RULE_KINDS)} 之中"
        )
    return GeneralRule(
        id=rule_id,
        kind=kind,
        basis=_str(raw, "basis", where, required=False),
        condition=_str(raw, "condition", where, required=False),
    )


def _item(raw: Any, index: int, catalogue_name: str) -> Item:
    where = f"事项第{index + 1}项"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}必须是 JSON 对象")
    item_id = _str(raw, "id", where)
    where = f"事项 {item_id}"
    errors: list[str] = []

    def check(func, *args, default=None):
        try:
            return func(*args)
        except CatalogueError as exc:
            errors.extend(exc.errors)
            return default

    violation = check(_str, raw, "violation", where, default="")
    domain = check(_str, raw, "domain", where, False, default="")
    violated = check(_strs, raw, "violated_provisions", where, default=[])
    penalty = check(_strs, raw, "penalty_provisions", where, default=[])
    statutory = raw.get("statutory") or {}
    if not isinstance(statutory, dict):
        errors.append(f"{where}：statutory 必须是 JSON 对象")
        statutory = {}
    s_where = f"{where} statutory"
    statutory_measures = check(_strs, statutory, "measures", s_where, default=[])
    statutory_fines = check(_fines, statutory, s_where, default=[])
    tiers = []
    raw_tiers = check(_list, raw, "tiers", where, True, default=[])
    for t_index, raw_tier in enumerate(raw_tiers):
        tier = check(_tier, raw_tier, f"{where} 第{t_index + 1}档")
        if tier is not None:
            tiers.append(tier)
    if errors:
        raise CatalogueError(errors[0], errors)
    return Item(
        id=item_id,
        domain=domain,
        violation=violation,
        violated_provisions=tuple(violated),
        penalty_provisions=tuple(penalty),
        statutory_measures=tuple(statutory_measures),
        statutory_fines=tuple(statutory_fines),
        tiers=tuple(tiers),
        catalogue=catalogue_name,
    )


def _tier(raw: Any, where: str) -> Tier:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}必须是 JSON 对象")
    return Tier(
        level=_str(raw, "level", where),
        condition=_str(raw, "condition", where, required=False),
        measures=tuple(_strs(raw, "measures", where)),
        fines=tuple(_fines(raw, where)),
    )


def _fines(raw: dict, where: str) -> list[FineRange]:
    fines, errors = [], []
    for index, fine in enumerate(_list(raw, "fines", where, required=False)):
        try:
            fines.append(_fine(fine, f"{where} fines[{index}]"))
        except CatalogueError as exc:
            errors.extend(exc.errors)
    if errors:
        raise CatalogueError(errors[0], errors)
    return fines


def _fine(fine: Any, f_where: str) -> FineRange:
    if not isinstance(fine, dict):
        raise CatalogueError(f"{f_where}必须是 JSON 对象")
    party = fine.get("party", "any")
    if party not in PARTIES:
        raise CatalogueError(
            f"{f_where}：party “{party}” 应为 any/individual/organization"
        )
    unit = _str(fine, "unit", f_where)
    if unit not in UNITS:
        raise CatalogueError(f"{f_where}：unit “{unit}” 应为 {'/'.join(UNITS)}")
    if "min" not in fine:
        raise CatalogueError(f"{f_where}：缺少必填字段 min")
    low, high = _num(fine, "min", f_where), _num(fine, "max", f_where)
    if low is not None and high is not None and low > high:
        raise CatalogueError(f"{f_where}：min 大于 max")
    base = fine.get("base")
    if base is not None and not isinstance(base, str):
        raise CatalogueError(f"{f_where}：base 必须是字符串")
    if unit != "yuan" and not (base or "").strip():
        raise CatalogueError(f"{f_where}：unit 为 {unit} 时必须给出 base")
    condition = fine.get("condition")
    if condition is not None and not isinstance(condition, str):
        raise CatalogueError(f"{f_where}：condition 必须是字符串")
    return FineRange(
        party, low, high, unit, base.strip() if base else None, condition or None
    )


def _str(raw: dict, key: str, where: str, required: bool = True) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            raise CatalogueError(f"{where}：缺少必填字段 {key}")
        return ""
    if not isinstance(value, str):
        raise CatalogueError(f"{where}：{key} 必须是字符串")
    if required and not value.strip():
        raise CatalogueError(f"{where}：{key} 不能为空")
    return value.strip()


def _strs(raw: dict, key: str, where: str) -> list[str]:
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{where}：{key} 必须是字符串数组")
    return [v.strip() for v in value if v.strip()]


def _list(raw: dict, key: str, where: str, required: bool) -> list:
    value = raw.get(key)
    if value is None:
        if required:
            raise CatalogueError(f"{where}：缺少必填字段 {key}")
        return []
    if not isinstance(value, list):
        raise CatalogueError(f"{where}：{key} 必须是数组")
    return value


def _num(raw: dict, key: str, where: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CatalogueError(f"{where}：{key} 必须是数字或 null")
    if value < 0:
        raise CatalogueError(f"{where}：{key} 不能为负数")
    return float(value)


def _date(raw: dict, key: str, where: str, required: bool) -> date | None:
    value = raw.get(key)
    if value in (None, ""):
        if required:
            raise CatalogueError(f"{where}：缺少必填字段 {key}")
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise CatalogueError(f"{where}：{key} “{value}” 不是 YYYY-MM-DD 日期") from exc


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
