#!/usr/bin/env python3
"""Checks a generated facts file (JSON object or JSON Lines) and prints a distribution summary.

    python3 Tools/generate/check_population.py FILE [--as-of 2026-11-26] [--expect-invalid] [--rules DIR]

Exit status 0 when every row is well formed (or, with --expect-invalid, always 0 and the defects
are only counted).  Standard library only; streams JSON Lines.
"""

import argparse
import collections
import datetime as dt
import json
import os
import re
import sys

REQUIRED = {
    "providers": ("id", "org_id", "first_name", "last_name", "is_synthetic"),
    "provider_states": ("id", "provider_id", "state"),
    "licenses": ("id", "provider_id", "state", "license_number", "license_type", "status", "issue_date",
                 "expiration_date"),
    "dea_registrations": ("id", "provider_id", "registration_number", "state", "schedules", "expiration_date"),
    "csr_certificates": ("id", "provider_id", "state", "csr_number", "expiration_date"),
    "board_certifications": ("id", "provider_id", "specialty", "board_name", "expiration_date"),
    "cme_events": ("id", "provider_id", "title", "category", "credits_earned", "completion_date"),
    "provider_attributes": ("provider_id", "key", "value"),
}
DATE_COLS = ("date_of_birth", "issue_date", "expiration_date", "completion_date")
STATUSES = {"active", "inactive", "expired", "suspended", "revoked"}
CATEGORIES = set("""general ethics pain_management end_of_life_care opioid_prescribing substance_use_disorder
medical_errors patient_safety risk_management domestic_violence child_abuse human_trafficking hiv_aids implicit_bias
cultural_competency sexual_harassment_prevention dementia infection_control geriatrics suicide_prevention
health_equity professional_boundaries laws_and_rules electronic_health_records""".split())
VOCABULARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Grammar", "categories.md")


def vocabulary_categories(path=VOCABULARY):
    """The CME category codes of Grammar/categories.md (the packs' vocabulary), if it is there."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return set()
    section = text.split("## CME categories", 1)[-1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", section, re.M))


def rule_categories(directory):
    """Every category the compiled rule versions in `directory` name."""
    found = set()
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json") and name != "manifest.json":
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                for r in json.load(f).get("requirements", []):
                    found.update(r.get("categories") or ())
    return found
CREDIT_TYPES = {"ama_pra_1", "aoa_1a", "aoa_1b", "other", None}
DEA_RE = re.compile(r"^[A-Z]{2}\d{7}$")
DEC_RE = re.compile(r"^\d+(\.\d+)?$")


def parse_date(v):
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise ValueError
    return dt.date.fromisoformat(v)


def records(path):
    with open(path, encoding="utf-8") as f:
        first = f.read(1)
        f.seek(0)
        if path.endswith(".jsonl"):
            for line in f:
                yield json.loads(line)
        else:
            yield json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--as-of", default="2026-11-26")
    ap.add_argument("--expect-invalid", action="store_true")
    ap.add_argument("--rules", help="compiled rule versions: their categories are accepted too")
    a = ap.parse_args()
    CATEGORIES.update(vocabulary_categories())
    if a.rules:
        CATEGORIES.update(rule_categories(a.rules))
    as_of = dt.date.fromisoformat(a.as_of)
    errors = collections.Counter()
    examples = {}
    c = collections.Counter()
    ids = set()
    providers = set()
    referenced = set()

    def err(kind, detail):
        errors[kind] += 1
        examples.setdefault(kind, detail)

    cme_hours = []
    for rec in records(a.file):
        if set(rec) != set(REQUIRED):
            err("table_keys", sorted(rec))
        for p in rec.get("providers", []):
            providers.add(p.get("id"))
        for table, rows in rec.items():
            for row in rows:
                c["rows." + table] += 1
                for col in REQUIRED.get(table, ()):
                    if col not in row:
                        err("missing_column", (table, row.get("id"), col))
                rid = row.get("id")
                if rid is not None:
                    if (table, rid) in ids:
                        err("duplicate_id", (table, rid))
                    ids.add((table, rid))
                if "provider_id" in row:
                    referenced.add(row["provider_id"])
                for col in DATE_COLS:
                    if row.get(col) is not None:
                        try:
                            parse_date(row[col])
                        except ValueError:
                            err("bad_date", (table, rid, col, row[col]))
        for lic in rec.get("licenses", []):
            if lic.get("status") not in STATUSES or lic.get("license_type") not in ("MD", "DO"):
                err("bad_enum", (lic.get("id"), lic.get("status"), lic.get("license_type")))
                continue
            try:
                exp = parse_date(lic["expiration_date"])
                iss = parse_date(lic["issue_date"])
            except (KeyError, ValueError):
                continue
            c["lic.status." + lic["status"]] += 1
            c["lic.type." + lic["license_type"]] += 1
            c["lic.state." + lic.get("state", "?")] += 1
            if iss > as_of or iss >= exp:
                err("issue_after_expiry_or_as_of", lic["id"])
            days = (exp - as_of).days
            if lic["status"] == "active":
                c["lic.active." + ("past_expiry" if days < 0 else "within_90d" if days <= 90 else "current")] += 1
            st, lt = lic.get("state"), lic["license_type"]
            if st == "PA" and not (exp.year % 2 == 0 and (exp.month, exp.day) == ((12, 31) if lt == "MD" else (10, 31))):
                err("pa_date_rule", lic["id"])
            if st == "IL" and not (exp.year % 3 == 2026 % 3 and (exp.month, exp.day) == (7, 31)):
                err("il_date_rule", lic["id"])
            if st == "FL" and lt == "DO" and not (exp.year % 2 == 0 and (exp.month, exp.day) == (3, 31)):
                err("fl_do_date_rule", lic["id"])
            if st == "FL" and lt == "MD" and (exp.month, exp.day) != (1, 31):
                err("fl_md_date_rule", lic["id"])
            if (as_of - iss).days <= 730:
                c["lic.issued_within_24_months"] += 1
        for dea in rec.get("dea_registrations", []):
            if not DEA_RE.match(dea.get("registration_number", "")):
                err("dea_format", dea.get("id"))
            n = dea["registration_number"]
            d = [int(x) for x in n[2:]]
            if (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 != d[6]:
                err("dea_check_digit", n)
            try:
                c["dea." + ("expired" if parse_date(dea["expiration_date"]) < as_of else "current")] += 1
            except (KeyError, ValueError):
                pass
        for e in rec.get("cme_events", []):
            v = e.get("credits_earned")
            if isinstance(v, str):
                if not DEC_RE.match(v):
                    err("bad_credits", (e.get("id"), v))
            elif not isinstance(v, (int, float)) or v < 0:
                err("bad_credits", (e.get("id"), v))
            if "category" in e and e["category"] not in CATEGORIES:
                err("bad_category", e.get("category"))
            if e.get("credit_type") not in CREDIT_TYPES:
                err("bad_credit_type", e.get("credit_type"))
        per = collections.defaultdict(float)
        for e in rec.get("cme_events", []):
            try:
                per[e["provider_id"]] += float(e["credits_earned"])
            except (KeyError, ValueError, TypeError):
                pass
        for p in rec.get("providers", []):
            cme_hours.append(per.get(p["id"], 0.0))
        c["providers.with_dea"] += len({r["provider_id"] for r in rec.get("dea_registrations", []) if "provider_id" in r})
        c["providers.with_cme"] += len({r["provider_id"] for r in rec.get("cme_events", []) if "provider_id" in r})
        c["providers.with_board_cert"] += len({r["provider_id"] for r in rec.get("board_certifications", []) if "provider_id" in r})
        for r in rec.get("board_certifications", []):
            if r.get("specialty") in ("addiction_medicine", "addiction_psychiatry"):
                c["board.addiction"] += 1
    orphans = referenced - providers
    if orphans:
        err("orphan_provider_id", sorted(orphans)[:3])
        errors["orphan_provider_id"] = len(orphans)
    n = len(providers)
    print("providers: %d" % n)
    for k in sorted(c):
        v = c[k]
        share = ""
        if k.startswith("providers."):
            share = " (%.1f%% of providers)" % (100.0 * v / max(n, 1))
        print("  %-34s %8d%s" % (k, v, share))
    if cme_hours:
        cme_hours.sort()
        q = lambda f: cme_hours[min(len(cme_hours) - 1, int(f * len(cme_hours)))]
        print("  cme hours per provider: p10 %.1f  median %.1f  p90 %.1f" % (q(0.1), q(0.5), q(0.9)))
    if errors:
        print("defects:")
        for k in sorted(errors):
            print("  %-34s %8d  e.g. %s" % (k, errors[k], examples.get(k)))
    return 0 if (not errors or a.expect_invalid) else 1


if __name__ == "__main__":
    sys.exit(main())
