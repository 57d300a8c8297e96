"""Reading and validating catalogue documents (JSON or the .xlsx template).

Nothing here touches the database: a document becomes an :class:`ImportPlan` (the
validated :class:`nlp.catalogue.Catalogue` plus its source and hashes) or a
:class:`CatalogueImportError` listing every problem.
"""

import hashlib
import json
from dataclasses import dataclass, field

from nlp.catalogue import Catalogue, CatalogueError, parse_catalogue
from portal.exceptions import ValidationFailed

MAX_JSON_BYTES = 5 * 1024 * 1024

# Column sizes of the stored rows; longer values are refused with the item named.
_LIMITS = {
    "name": 300,
    "issuer": 200,
    "jurisdiction": 100,
    "id": 64,
    "domain": 64,
    "level": 64,
    "base": 100,
}


class CatalogueImportError(ValidationFailed):
    """A document that cannot be imported; ``errors`` lists every problem."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__(self.errors[0] if self.errors else "裁量基准无效")


@dataclass
class ImportPlan:
    """What an import would create: the validated catalogue and where it goes."""

    catalogue: Catalogue
    source_text: str
    sha256: str
    content_sha256: str
    warnings: list[str] = field(default_factory=list)


def decode_json(raw: bytes) -> dict:
    """Decode an uploaded JSON document.

    :raises CatalogueImportError: too large, not UTF-8 or not JSON.
    """
    if len(raw) > MAX_JSON_BYTES:
        raise CatalogueImportError(
            [f"文件超过 {MAX_JSON_BYTES // 1024 // 1024} MB，已拒绝"]
        )
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CatalogueImportError(["文件不是 UTF-8 编码的文本"]) from None
    except json.JSONDecodeError as exc:
        raise CatalogueImportError(
            [f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列（{exc.msg}）"]
        ) from None


def validate_document(data, source_text: str | None = None) -> ImportPlan:
    """Validate a decoded ``zhifa.benchmarks/1`` document; save nothing.

    :param data: the decoded JSON (or the dict read from the .xlsx template).
    :param source_text: the text as uploaded, kept with the version; defaults to
        the document dumped as JSON.
    :return: an :class:`ImportPlan`.
    :raises CatalogueImportError: listing every error, each naming item and key.
    """
    try:
        catalogue = parse_catalogue(data)
    except CatalogueError as exc:
        raise CatalogueImportError(exc.errors) from None
    errors = _length_errors(catalogue)
    if errors:
        raise CatalogueImportError(errors)
    if source_text is None:
        source_text = json.dumps(data, ensure_ascii=False, indent=2)
    digest = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
    canonical = json.dumps(catalogue.to_json(), ensure_ascii=False, sort_keys=True)
    content = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    plan = ImportPlan(catalogue, source_text, digest, content)
    if not catalogue.items:
        plan.warnings.append("目录中没有任何事项")
    return plan


def read_document(filename, content):
    """Read an uploaded .json or .xlsx into a validated :class:`ImportPlan`.

    :param filename: the file's name; ``.xlsx`` selects the template reader.
    :param content: the uploaded bytes.
    :raises CatalogueImportError: with every error found.
    """
    from casebank.xlsx import read_xlsx
    from portal.uploads import FormatError

    if filename.lower().endswith(".xlsx"):
        try:
            document, errors = read_xlsx(content)
        except FormatError as exc:
            raise CatalogueImportError([str(exc)]) from None
        try:
            plan = validate_document(document)
        except CatalogueImportError as exc:
            errors += exc.errors
        if errors:
            raise CatalogueImportError(errors)
        return plan
    if content.lstrip()[:2] in (b"PK",) or b"\x00" in content[:1024]:
        raise CatalogueImportError(["文件内容不是 JSON 文本（可能是改了扩展名）"])
    document = decode_json(content)
    return validate_document(
        document, content.decode("utf-8-sig").replace("\r\n", "\n")
    )


def _length_errors(catalogue: Catalogue) -> list[str]:
    errors = []

    def check(where, key, value):
        if value and len(value) > _LIMITS[key]:
            errors.append(f"{where}：{key} 超过 {_LIMITS[key]} 个字符")

    for key in ("name", "issuer", "jurisdiction"):
        check("裁量基准", key, getattr(catalogue, key))
    for rule in catalogue.general_rules:
        check(f"通用规则 {rule.id[:20]}", "id", rule.id)
    for item in catalogue.items:
        where = f"事项 {item.id[:20]}"
        check(where, "id", item.id)
        check(where, "domain", item.domain)
        for fine in item.statutory_fines:
            check(f"{where} statutory", "base", fine.base)
        for number, tier in enumerate(item.tiers, start=1):
            check(f"{where} 第{number}档", "level", tier.level)
            for fine in tier.fines:
                check(f"{where} 第{number}档", "base", fine.base)
    return errors
