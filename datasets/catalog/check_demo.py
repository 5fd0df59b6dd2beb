#!/usr/bin/env python3
"""Checks a catalog JSON Lines file (default: demo.jsonl next to this script).

Two sets of rules:

1. What the platform enforces on import: the serde shape of `Offering` (every struct is
   `deny_unknown_fields`, enums in their serde spellings, u32 numbers) and the rules of
   `Offering::validate` in crates/domain/src/catalog.rs, re-implemented here, with divisions
   looked up in datasets/divisions/divisions.tsv.
2. Conventions of the demo catalog: unique offering codes; one item code = one identical item,
   one credit code = one identical agency; themes and cross-region scopes from the known lists;
   level consistent with the division; online services consistent with the depth.

Usage:
    python3 datasets/catalog/check_demo.py [FILE.jsonl]
Exit status 0 when every line passes, 1 otherwise (each failure is printed as line: field: reason).
"""

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIVISIONS = HERE.parent / "divisions" / "divisions.tsv"

# --- Mirrors of crates/domain -------------------------------------------------------------------

ITEM_TYPES = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"}
LEVELS = {"national", "provincial", "city", "county", "township", "village"}
AUDIENCES = {"person", "organization"}
HANDLING = {"new", "change", "renew", "cancel"}
DEPTHS = {"I", "II", "III", "IV"}
CASE_KINDS = {"immediate", "committed", "reported", "joint"}
ORIGINALS = {"original", "copy", "both"}
FORMS = {"paper", "electronic", "either"}
ONLINE_SERVICES = ["互联网咨询", "互联网收件", "互联网预审", "互联网受理", "互联网办理", "互联网办理结果信息反馈",
                   "互联网电子证照反馈"]
RESULT_KINDS = {"licence", "document", "none"}
OFFERING_CODE_LEN = 31

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
             "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"}

# --- Demo conventions -------------------------------------------------------------------------------

THEMES = {"出生", "上学", "就业", "婚育", "住房", "出行", "医疗", "社保", "退休", "养老", "身后事", "开办企业", "经营许可",
          "工程建设", "纳税缴费", "注销企业", "户籍", "证件办理", "社会救助"}
CROSS_REGIONS = {"", "全国通办", "跨省通办", "省内通办"}


def credit_check_char(first17):
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def credit_code_error(value):
    """None when `value` is a valid 统一社会信用代码 (as CreditCode::parse), else the reason."""
    v = value.strip().upper()
    if len(v) != 18:
        return f"length must be 18, got {len(v)}"
    for i, c in enumerate(v):
        if c not in CREDIT_CHARSET:
            return f"invalid character {c!r} at position {i + 1}"
    if not v[2:8].isdigit():
        return "registration division code (positions 3-8) must be digits"
    expected = credit_check_char(v[:17])
    if v[17] != expected:
        return f"check character: expected {expected!r}, got {v[17]!r}"
    return None


assert credit_code_error("91350100M000100Y43") is None
assert credit_code_error("91110000802100433B") is None
assert credit_code_error("91110000802100433C") is not None


def parse_division(value):
    """(normalized code, None) or (None, reason), as DivisionCode::parse."""
    v = value.strip()
    if len(v) not in (6, 9, 12):
        return None, f"length must be 6, 9 or 12, got {len(v)}"
    if not (v.isascii() and v.isdigit()):
        return None, "digits only"
    code = v
    while len(code) > 6 and code.endswith("000"):
        code = code[:-3]
    if code[:2] not in PROVINCES:
        return None, f"unknown province code {code[:2]}"
    if code[2:4] == "00" and code[4:6] != "00":
        return None, "county part must be 00 when the prefecture part is 00"
    if len(code) == 12 and code[6:9] == "000":
        return None, "village code without a township part"
    return code, None


def load_divisions():
    known = set()
    with open(DIVISIONS, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                known.add(line.split("\t", 1)[0])
    return known


# --- Shape (serde) ----------------------------------------------------------------------------------

class Shape:
    """Collects shape errors by field path."""

    def __init__(self):
        self.errors = {}

    def bad(self, path, reason):
        self.errors.setdefault(path, reason)

    def obj(self, path, value, required, optional=()):
        if not isinstance(value, dict):
            self.bad(path or "$", "must be an object")
            return False
        for k in value:
            if k not in required and k not in optional:
                self.bad(f"{path}.{k}" if path else k, "unknown field (deny_unknown_fields)")
        for k in required:
            if k not in value:
                self.bad(f"{path}.{k}" if path else k, "missing field")
        return True

    def string(self, path, value):
        if not isinstance(value, str):
            self.bad(path, "must be a string")

    def opt_string(self, path, value):
        if value is not None and not isinstance(value, str):
            self.bad(path, "must be a string or null")

    def boolean(self, path, value):
        if not isinstance(value, bool):
            self.bad(path, "must be true or false")

    def u32(self, path, value):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 0xFFFFFFFF:
            self.bad(path, "must be an integer 0..=4294967295")

    def enum(self, path, value, allowed):
        if value not in allowed:
            self.bad(path, f"must be one of {sorted(allowed)}")

    def strings(self, path, value):
        if not isinstance(value, list):
            self.bad(path, "must be an array")
            return
        for i, s in enumerate(value):
            self.string(f"{path}[{i}]", s)


def check_shape(o):
    s = Shape()
    required = ["offering_code", "item", "agency", "name", "division_code", "level", "audience", "case_kind",
                "conditions", "materials", "steps", "statutory_limit", "committed_limit", "fees", "location", "hours",
                "consultation_phone", "complaint_phone", "legal_basis", "online_depth", "visits", "result"]
    optional = ["aliases", "themes", "special_procedures", "online_services", "faq", "appointment", "cross_region",
                "form", "review_steps"]
    if not s.obj("", o, required, optional):
        return s.errors
    for k in ["offering_code", "name", "division_code", "conditions", "location", "hours", "consultation_phone",
              "complaint_phone"]:
        if k in o:
            s.string(k, o[k])
    if s.obj("item", o.get("item", {}), ["code", "name", "item_type", "handling", "competent_department"],
             ["main_item", "sub_item"]):
        it = o.get("item", {})
        for k in ["code", "name", "item_type", "competent_department"]:
            if k in it:
                s.string(f"item.{k}", it[k])
        for k in ["main_item", "sub_item"]:
            if k in it:
                s.opt_string(f"item.{k}", it[k])
        if "handling" in it:
            s.enum("item.handling", it["handling"], HANDLING)
    if s.obj("agency", o.get("agency", {}), ["credit_code", "name", "division_code", "level"]):
        ag = o.get("agency", {})
        for k in ["credit_code", "name", "division_code"]:
            if k in ag:
                s.string(f"agency.{k}", ag[k])
        if "level" in ag:
            s.enum("agency.level", ag["level"], LEVELS)
    if "level" in o:
        s.enum("level", o["level"], LEVELS)
    if "audience" in o:
        if isinstance(o["audience"], list):
            for i, a in enumerate(o["audience"]):
                s.enum(f"audience[{i}]", a, AUDIENCES)
        else:
            s.bad("audience", "must be an array")
    for k in ["aliases", "themes", "legal_basis", "online_services"]:
        if k in o:
            s.strings(k, o[k])
    if "case_kind" in o:
        s.enum("case_kind", o["case_kind"], CASE_KINDS)
    if "online_depth" in o:
        s.enum("online_depth", o["online_depth"], DEPTHS)
    for k in ["statutory_limit", "committed_limit", "visits"]:
        if k in o:
            s.u32(k, o[k])
    if "appointment" in o:
        s.boolean("appointment", o["appointment"])
    if "cross_region" in o:
        s.string("cross_region", o["cross_region"])
    if "review_steps" in o:
        s.strings("review_steps", o["review_steps"])
    if "form" in o:
        # The form's own rules (a JSON Schema and its layout) are checked by `tongban catalog import`.
        s.obj("form", o["form"], ["schema", "sections"])
    if isinstance(o.get("materials"), list):
        for i, m in enumerate(o["materials"]):
            p = f"materials[{i}]"
            if not s.obj(p, m, ["name", "original", "copies", "form", "required", "source"], ["condition"]):
                continue
            if "name" in m:
                s.string(f"{p}.name", m["name"])
            if "original" in m:
                s.enum(f"{p}.original", m["original"], ORIGINALS)
            if "copies" in m:
                s.u32(f"{p}.copies", m["copies"])
            if "form" in m:
                s.enum(f"{p}.form", m["form"], FORMS)
            if "required" in m:
                s.boolean(f"{p}.required", m["required"])
            if "condition" in m:
                s.opt_string(f"{p}.condition", m["condition"])
            src = m.get("source")
            if isinstance(src, dict):
                kind = src.get("kind")
                if kind in ("applicant", "exempt"):
                    s.obj(f"{p}.source", src, ["kind"])
                elif kind == "licence":
                    if s.obj(f"{p}.source", src, ["kind", "licence_type"]):
                        s.string(f"{p}.source.licence_type", src.get("licence_type"))
                elif kind == "shared":
                    if s.obj(f"{p}.source", src, ["kind", "resource"]):
                        s.string(f"{p}.source.resource", src.get("resource"))
                else:
                    s.bad(f"{p}.source.kind", "must be applicant, licence, shared or exempt")
            elif "source" in m:
                s.bad(f"{p}.source", "must be an object with a kind")
    elif "materials" in o:
        s.bad("materials", "must be an array")
    if isinstance(o.get("steps"), list):
        for i, st in enumerate(o["steps"]):
            if s.obj(f"steps[{i}]", st, ["name"], ["description"]):
                s.string(f"steps[{i}].name", st.get("name"))
                if "description" in st:
                    s.string(f"steps[{i}].description", st["description"])
    elif "steps" in o:
        s.bad("steps", "must be an array")
    for i, sp in enumerate(o.get("special_procedures", []) or []):
        p = f"special_procedures[{i}]"
        if s.obj(p, sp, ["name", "max_workdays", "counted"]):
            s.string(f"{p}.name", sp.get("name"))
            s.u32(f"{p}.max_workdays", sp.get("max_workdays"))
            s.boolean(f"{p}.counted", sp.get("counted"))
    if s.obj("fees", o.get("fees", {}), ["charged"], ["basis", "standard", "online_payment"]):
        fees = o.get("fees", {})
        if "charged" in fees:
            s.boolean("fees.charged", fees["charged"])
        for k in ["basis", "standard"]:
            if k in fees:
                s.opt_string(f"fees.{k}", fees[k])
        if fees.get("online_payment") is not None:
            s.boolean("fees.online_payment", fees["online_payment"])
    if s.obj("result", o.get("result", {}), ["kind", "name"]):
        for k in ["kind", "name"]:
            if k in o.get("result", {}):
                s.string(f"result.{k}", o["result"][k])
    for i, q in enumerate(o.get("faq", []) or []):
        if s.obj(f"faq[{i}]", q, ["q", "a"]):
            s.string(f"faq[{i}].q", q.get("q"))
            s.string(f"faq[{i}].a", q.get("a"))
    return s.errors


# --- Offering::validate ---------------------------------------------------------------------------

def validate(o, known):
    """The rules of `Offering::validate`: field -> reason (first reason per field wins)."""
    v = {}

    def bad(field, reason):
        v.setdefault(field, reason)

    def blank(s):
        return s is None or not s.strip()

    agency_err = credit_code_error(o["agency"]["credit_code"])
    if agency_err:
        bad("agency.credit_code", agency_err)
    code = o["offering_code"]
    if len(code) != OFFERING_CODE_LEN or not all(c.isascii() and c.isalnum() for c in code):
        bad("offering_code", f"must be {OFFERING_CODE_LEN} ASCII letters or digits, got {len(code)}")
    elif credit_code_error(code[:18]):
        bad("offering_code", f"must begin with the agency's credit code: {credit_code_error(code[:18])}")
    elif not agency_err and code[:18] != o["agency"]["credit_code"].strip().upper():
        bad("offering_code", "does not begin with the agency's credit code")
    if blank(o["item"]["code"]):
        bad("item.code", "required")
    if o["item"]["item_type"] not in ITEM_TYPES:
        bad("item.item_type", f"unknown item type {o['item']['item_type']}")
    for field, value in [("division_code", o["division_code"]), ("agency.division_code", o["agency"]["division_code"])]:
        norm, err = parse_division(value)
        if err:
            bad(field, err)
        elif norm not in known:
            bad(field, f"unknown division {norm}")
    for field, value in [("name", o["name"]), ("item.name", o["item"]["name"]),
                         ("item.competent_department", o["item"]["competent_department"]),
                         ("agency.name", o["agency"]["name"]), ("conditions", o["conditions"]),
                         ("location", o["location"]), ("hours", o["hours"]),
                         ("consultation_phone", o["consultation_phone"]), ("complaint_phone", o["complaint_phone"]),
                         ("result.name", o["result"]["name"])]:
        if blank(value):
            bad(field, "required")
    if not o["audience"]:
        bad("audience", "at least one audience")
    if all(blank(b) for b in o["legal_basis"]):
        bad("legal_basis", "legal basis required")
    if not o["steps"]:
        bad("steps", "at least one step")
    for i, m in enumerate(o["materials"]):
        if blank(m["name"]):
            bad(f"materials[{i}].name", "required")
        if not m["required"] and blank(m.get("condition")):
            bad(f"materials[{i}].condition", "a conditional material needs its condition")
    for s in o.get("online_services", []):
        if s not in ONLINE_SERVICES:
            bad("online_services", f"unknown online service {s}")
    if o["result"]["kind"] not in RESULT_KINDS:
        bad("result.kind", "must be licence, document or none")
    if o["committed_limit"] > o["statutory_limit"]:
        bad("committed_limit", f"committed {o['committed_limit']} exceeds statutory {o['statutory_limit']}")
    if o["case_kind"] == "immediate" and o["committed_limit"] != 0:
        bad("committed_limit", "an immediate case has committed limit 0")
    if o["online_depth"] == "IV" and o["visits"] != 0:
        bad("visits", f"depth IV requires 0 visits, got {o['visits']}")
    if o["online_depth"] == "III" and o["visits"] > 1:
        bad("visits", f"depth III allows at most 1 visit, got {o['visits']}")
    fees = o["fees"]
    if fees["charged"]:
        if blank(fees.get("basis")):
            bad("fees.basis", "charged: basis required")
        if fees.get("online_payment") is None:
            bad("fees.online_payment", "charged: payment mode required")

    def digits(s):
        return "".join(c for c in s if c.isascii() and c.isdigit())

    if not blank(o["consultation_phone"]) and digits(o["consultation_phone"]) == digits(o["complaint_phone"]):
        bad("complaint_phone", "complaint phone must differ from the consultation phone")
    return v


# --- Demo conventions -------------------------------------------------------------------------------

def level_of_division(code):
    if len(code) == 9:
        return "township"
    if code.endswith("0000"):
        return "provincial"
    if code.endswith("00"):
        return "city"
    return "county"


def conventions(o):
    v = {}
    for i, t in enumerate(o.get("themes", [])):
        if t not in THEMES:
            v[f"themes[{i}]"] = f"unknown theme {t}"
    if o.get("cross_region", "") not in CROSS_REGIONS:
        v["cross_region"] = f"must be one of {sorted(CROSS_REGIONS)}"
    if len(set(o["audience"])) != len(o["audience"]):
        v["audience"] = "duplicate audience"
    for field, level, div in [("level", o["level"], o["division_code"]),
                              ("agency.level", o["agency"]["level"], o["agency"]["division_code"])]:
        expected = level_of_division(div)
        if level == "national":
            if div != "110000":
                v[field] = "national bodies sit at division 110000 in this catalog"
        elif level != expected:
            v[field] = f"level {level} does not match division {div} ({expected})"
    if o["level"] != o["agency"]["level"] or o["division_code"] != o["agency"]["division_code"]:
        v["division_code"] = "offering and agency divisions/levels differ"
    services = o.get("online_services", [])
    if len(set(services)) != len(services):
        v["online_services"] = "duplicates"
    if o["online_depth"] in ("III", "IV") and "互联网受理" not in services:
        v["online_services"] = "depth III/IV accepts online: 互联网受理 expected"
    if o["online_depth"] == "IV" and "互联网办理" not in services:
        v["online_services"] = "depth IV: 互联网办理 expected"
    if o["online_depth"] in ("I", "II") and "互联网受理" in services:
        v["online_services"] = "depth I/II does not accept online"
    if not 3 <= len(o["steps"]) <= 6:
        v["steps"] = f"3 to 6 steps expected, got {len(o['steps'])}"
    if not o["materials"]:
        v["materials"] = "at least one material expected"
    if len(o.get("faq", [])) > 3:
        v["faq"] = "at most 3 FAQ entries"
    if o["case_kind"] in ("committed", "joint", "reported") and o["committed_limit"] == 0 and o["statutory_limit"] > 0:
        pass  # allowed: concluded the same day although not an immediate case
    for i, sp in enumerate(o.get("special_procedures", [])):
        if sp["max_workdays"] == 0:
            v[f"special_procedures[{i}].max_workdays"] = "must be positive"
    return v


def main(argv):
    path = Path(argv[0]) if argv else HERE / "demo.jsonl"
    known = load_divisions()
    failures = 0
    offerings = []
    codes = Counter()
    items, agencies = {}, {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            o = json.loads(line)
        except json.JSONDecodeError as e:
            print(f"{path.name}:{n}: invalid JSON: {e}")
            failures += 1
            continue
        errors = check_shape(o)
        if not errors:
            errors = validate(o, known)
            errors.update({f"convention {k}": r for k, r in conventions(o).items()})
        for field, reason in errors.items():
            print(f"{path.name}:{n}: {field}: {reason}")
        if errors:
            failures += 1
            continue
        offerings.append((n, o))
        codes[o["offering_code"]] += 1
        # One item code = one item; one credit code = one agency (the store upserts them by code).
        for table, key, value in [(items, o["item"]["code"], o["item"]), (agencies, o["agency"]["credit_code"], o["agency"])]:
            if key in table and table[key][1] != value:
                print(f"{path.name}:{n}: {key}: differs from line {table[key][0]}")
                failures += 1
            table.setdefault(key, (n, value))
    for code, count in codes.items():
        if count > 1:
            print(f"{path.name}: offering_code {code} appears {count} times")
            failures += 1
    names = Counter(a[1]["name"] for a in agencies.values())
    for name, count in names.items():
        if count > 1:
            print(f"{path.name}: agency name {name} has {count} credit codes")
            failures += 1
    provinces = sorted({o["division_code"][:2] for _, o in offerings})
    levels = Counter(o["level"] for _, o in offerings)
    audiences = Counter(a for _, o in offerings for a in o["audience"])
    per_item = Counter(o["item"]["code"] for _, o in offerings)
    print(f"{len(offerings)} offerings valid, {failures} failing; {len(items)} items "
          f"({sum(1 for c in per_item.values() if c > 1)} offered at several divisions), {len(agencies)} agencies, "
          f"provinces {', '.join(provinces)}; levels {dict(sorted(levels.items()))}; audiences {dict(audiences)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
