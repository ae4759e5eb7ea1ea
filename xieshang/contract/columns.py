"""The data contract (../shared/spec/data-contract.md) as data: kinds, columns, vocabularies.

Everything that reads, writes or labels submissions takes its names from here, so the
contract has exactly one machine-readable copy.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS: tuple[str, ...] = ("areas", "attendance", "resolutions", "meetings")
"""Kinds in the order their file-name keywords are tried (first match wins)."""

LOAD_ORDER: tuple[str, ...] = ("areas", "meetings", "attendance", "resolutions")

KIND_KEYWORDS: dict[str, tuple[str, ...]] = {
    "areas": ("areas", "区划", "组织"),
    "attendance": ("attendance", "参会", "签到", "人员"),
    "resolutions": ("resolutions", "决议", "落实"),
    "meetings": ("meetings", "会议", "台账"),
}

KIND_LABELS: dict[str, str] = {
    "areas": "区划与党员名册汇总",
    "meetings": "协商会议台账",
    "attendance": "参会人员签到表",
    "resolutions": "协商决议落实台账",
}


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...]
    required: bool
    type: str = "text"  # text | code | id | date | bool | int | number | vocab name


COLUMNS: dict[str, tuple[Column, ...]] = {
    "areas": (
        Column("area_code", ("区划代码", "统计用区划代码", "代码"), True, "code"),
        Column("area_name", ("名称", "单位名称", "区划名称"), True),
        Column("parent_code", ("上级代码", "上级区划代码"), False, "code"),
        Column("unit_type", ("类型", "单位类型"), False, "unit_type"),
        Column("party_members", ("党员人数", "党员数"), True, "int"),
        Column("population", ("常住人口", "人口"), False, "int"),
    ),
    "meetings": (
        Column("meeting_id", ("会议编号", "编号"), True, "id"),
        Column("area_code", ("区划代码", "单位代码", "主办单位代码"), True, "code"),
        Column("meeting_date", ("会议日期", "日期", "召开日期"), True, "date"),
        Column("form", ("协商形式", "形式"), True, "form"),
        Column("topic", ("议题", "协商议题", "主题"), True),
        Column("topic_category", ("议题类别", "类别"), False, "topic_category"),
        Column("topic_source", ("议题来源", "来源"), False, "topic_source"),
        Column("led_by_party", ("党组织主持", "是否党组织主持"), True, "bool"),
        Column("online", ("线上", "是否线上"), False, "bool"),
    ),
    "attendance": (
        Column("meeting_id", ("会议编号",), True, "id"),
        Column("area_code", ("区划代码", "单位代码"), True, "code"),
        Column("person_id", ("人员标识", "身份证号", "证件号码"), True, "id"),
        Column("name", ("姓名",), False),
        Column("party_member", ("是否党员", "党员"), True, "bool"),
        Column("category", ("身份类别", "参会身份", "身份"), True, "category"),
    ),
    "resolutions": (
        Column("resolution_id", ("决议编号", "事项编号"), True, "id"),
        Column("meeting_id", ("会议编号",), True, "id"),
        Column("area_code", ("区划代码", "单位代码"), True, "code"),
        Column("content", ("决议内容", "事项内容", "内容"), True),
        Column("responsible_unit", ("责任单位", "牵头单位"), True),
        Column("due_date", ("完成时限", "办结时限"), True, "date"),
        Column("status", ("落实状态", "状态", "进度"), True, "status"),
        Column("completed_date", ("完成日期", "办结日期"), False, "date"),
        Column("updated_on", ("更新日期", "填报日期"), True, "date"),
        Column("satisfaction", ("群众满意度", "满意度"), False, "number"),
        Column("in_assessment", ("纳入述职评议", "纳入考核"), False, "bool"),
        Column("escalated_to", ("上报至", "提交上级"), False, "code"),
    ),
}

# Columns that identify a person: read, hashed or dropped, never stored or echoed.
PERSONAL_COLUMNS: frozenset[str] = frozenset({"person_id", "name"})

# The most characters a free-form value may have (after trimming), by column name, in
# every kind that has the column; longer is rejected ("too_long"). Identifiers sit in
# unique indexes (PostgreSQL refuses an index row over ~2.7 KB) and are typed by hand:
# 64 is far above any real one. Free text is bounded at a few times the longest a
# ledger holds, so one pasted document cannot fill the warehouse. `name` is read and
# dropped, never stored, so it has no bound.
MAX_LENGTHS: dict[str, int] = {
    "meeting_id": 64,
    "resolution_id": 64,
    "person_id": 64,
    "area_name": 200,
    "responsible_unit": 200,
    "topic": 1000,
    "content": 4000,
}

# The largest count (party_members, population) accepted: more than any unit's
# population, and far inside the 32-bit Integer column both engines store it in.
MAX_COUNT = 100_000_000


def _vocab(*entries: tuple[str, str]) -> dict[str, tuple[str, ...]]:
    """code -> Chinese labels, the first label being the one shown."""
    return {code: tuple(labels.split("/")) for code, labels in entries}


VOCABULARIES: dict[str, dict[str, tuple[str, ...]]] = {
    "form": _vocab(
        ("council", "议事会/民主议事会"),
        ("hearing", "听证会"),
        ("dialogue", "恳谈会/民主恳谈会"),
        ("forum", "座谈会"),
        ("coordination", "协调会"),
        ("review", "评议会"),
        ("party_day", "党日活动/主题党日"),
        ("poll", "协商式民意调查/民意调查"),
        ("workshop", "愿景工作坊"),
        ("budget", "参与式预算"),
        ("joint", "联席会议/协商联席会议"),
        ("other", "其他"),
    ),
    "topic_category": _vocab(
        ("environment", "环境整治"),
        ("roads", "道路交通"),
        ("elderly_child", "养老托育"),
        ("property", "物业管理"),
        ("facilities", "公共设施"),
        ("livelihood", "就业增收"),
        ("disputes", "矛盾纠纷"),
        ("collective", "集体经济"),
        ("safety", "公共安全"),
        ("other", "其他"),
    ),
    "topic_source": _vocab(
        ("party", "党组织确定"),
        ("residents", "群众提议"),
        ("assigned", "上级交办"),
        ("deputies", "代表委员提出"),
        ("other", "其他"),
    ),
    "category": _vocab(
        ("resident_rep", "村(居)民代表/村民代表/居民代表"),
        ("npc_deputy", "人大代表"),
        ("cppcc_member", "政协委员"),
        ("resident_unit", "驻区单位"),
        ("mass_org", "群团组织"),
        ("social_org", "社会组织"),
        ("local_worthy", "乡贤"),
        ("grid_worker", "网格员"),
        ("property_co", "物业企业/物业公司"),
        ("owners_committee", "业主委员会/业委会"),
        ("cadre", "基层干部/村干部/社区干部"),
        ("resident", "群众/普通群众"),
        ("other", "其他"),
    ),
    "status": _vocab(
        ("not_started", "未启动"),
        ("in_progress", "推进中/办理中"),
        ("implemented", "已落实/已办结/已完成"),
        ("cancelled", "已撤销/不再落实"),
    ),
}

STAKEHOLDER_CATEGORIES: tuple[str, ...] = tuple(VOCABULARIES["category"])[:10]

UNIT_TYPES: tuple[str, ...] = ("县", "区", "市", "镇", "乡", "街道", "村", "社区")

VOCAB_DEFAULTS: dict[str, str] = {"topic_category": "other", "topic_source": "other"}

ENGLISH_LABELS: dict[str, dict[str, str]] = {
    "form": {
        "council": "Council",
        "hearing": "Hearing",
        "dialogue": "Dialogue",
        "forum": "Forum",
        "coordination": "Coordination",
        "review": "Review",
        "party_day": "Party day",
        "poll": "Deliberative poll",
        "workshop": "Vision workshop",
        "budget": "Participatory budget",
        "joint": "Joint meeting",
        "other": "Other",
    },
    "topic_category": {
        "environment": "Environment",
        "roads": "Roads & traffic",
        "elderly_child": "Elderly & child care",
        "property": "Property management",
        "facilities": "Public facilities",
        "livelihood": "Jobs & income",
        "disputes": "Disputes",
        "collective": "Collective economy",
        "safety": "Public safety",
        "other": "Other",
    },
    "category": {
        "resident_rep": "Resident representatives",
        "npc_deputy": "People's congress deputies",
        "cppcc_member": "CPPCC members",
        "resident_unit": "Resident units",
        "mass_org": "Mass organisations",
        "social_org": "Social organisations",
        "local_worthy": "Local worthies",
        "grid_worker": "Grid workers",
        "property_co": "Property companies",
        "owners_committee": "Owners' committees",
        "cadre": "Cadres",
        "resident": "Residents",
        "other": "Other",
    },
    "status": {
        "not_started": "Not started",
        "in_progress": "In progress",
        "implemented": "Implemented",
        "cancelled": "Cancelled",
    },
}


def header(kind: str, name: str) -> str:
    """The usual Chinese header of a kind's column (its first alias), or `name` itself
    when the kind has no such column (a rejects row may name a whole-row rule)."""
    for column in COLUMNS.get(kind, ()):
        if column.name == name:
            return column.aliases[0]
    return name


def label(vocab: str, code: str, lang: str = "zh") -> str:
    """The label shown for a vocabulary code."""
    if lang == "en":
        return ENGLISH_LABELS.get(vocab, {}).get(code, code)
    return VOCABULARIES[vocab][code][0]


def lookup_table(vocab: str) -> dict[str, str]:
    """Every accepted spelling (code in lower case, each Chinese label) -> code."""
    table: dict[str, str] = {}
    for code, labels in VOCABULARIES[vocab].items():
        table[code.lower()] = code
        for text in labels:
            table[text.lower()] = code
    return table
