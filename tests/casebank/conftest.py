import copy

import pytest

from casebank import CATALOGUE_DIR
from portal.actor import Actor

SPEC = {
    "format": "zhifa.benchmarks/1",
    "name": "某市城市管理行政处罚裁量基准",
    "issuer": "某市城市管理局",
    "jurisdiction": "某市",
    "effective_from": "2023-12-01",
    "effective_to": None,
    "general_rules": [
        {
            "id": "G-33-1",
            "kind": "no_penalty",
            "basis": "《中华人民共和国行政处罚法》第三十三条第一款",
            "condition": "违法行为轻微并及时改正，没有造成危害后果",
        }
    ],
    "items": [
        {
            "id": "CG-012",
            "domain": "城市管理",
            "violation": "擅自在桥梁或者路灯设施上设置广告牌或者其他挂浮物",
            "violated_provisions": ["《城市道路管理条例》第二十七条第（六）项"],
            "penalty_provisions": ["《城市道路管理条例》第四十二条"],
            "statutory": {
                "measures": ["责令限期改正"],
                "fines": [{"party": "any", "min": 0, "max": 20000, "unit": "yuan"}],
            },
            "tiers": [
                {
                    "level": "轻微",
                    "condition": "单体面积2平方米以下，或者设置3处以下",
                    "measures": ["责令限期改正"],
                    "fines": [{"party": "any", "min": 0, "max": 5000, "unit": "yuan"}],
                },
                {
                    "level": "一般",
                    "condition": "单体面积2平方米以上10平方米以下",
                    "measures": ["责令限期改正"],
                    "fines": [
                        {
                            "party": "individual",
                            "min": 1,
                            "max": 3,
                            "unit": "multiple",
                            "base": "违法所得",
                            "condition": "有违法所得的",
                        },
                        {
                            "party": "organization",
                            "min": 5,
                            "max": 10,
                            "unit": "yuan_per_unit",
                            "base": "平方米",
                        },
                        {
                            "party": "any",
                            "min": 0.5,
                            "max": None,
                            "unit": "percent",
                            "base": "工程造价",
                        },
                    ],
                },
            ],
        }
    ],
}

DEMO_FILES = sorted(CATALOGUE_DIR.glob("*.json"))


@pytest.fixture
def spec():
    return copy.deepcopy(SPEC)


@pytest.fixture
def importer(world):
    """Import a document into world.city as the system; returns the version."""
    from casebank.documents import validate_document
    from casebank.services import import_catalogue
    from portal.extensions import db

    def _import(document, publish=True, **kwargs):
        kwargs.setdefault("jurisdiction", world.city)
        version = import_catalogue(
            validate_document(document), Actor.system(), publish=publish, **kwargs
        )
        db.session.commit()
        return version

    return _import


@pytest.fixture
def chengguan(importer):
    """The demo 城管 catalogue (江城市), published for the test city."""
    import json

    document = json.loads((CATALOGUE_DIR / "chengguan.json").read_text())
    return importer(document, code="CG-DEMO")
