#!/usr/bin/env python3
"""Validates every RulePacks/**/*.yaml against Grammar/pack.schema.json (plus a few cross-field checks).

YAML dates are kept as strings (the pack language types scalars by the schema, not by YAML's implicit rules).
Usage: python3 Tools/validate-schema.py [files...]   (exit 1 on any error)
"""
import json, pathlib, sys, re
import yaml, jsonschema

class Loader(yaml.SafeLoader):
    pass
Loader.yaml_implicit_resolvers = {k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
                                  for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}

root = pathlib.Path(__file__).resolve().parent.parent
schema = json.loads((root / "Grammar/pack.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
files = [pathlib.Path(a) for a in sys.argv[1:]] or sorted((root / "RulePacks").rglob("*.yaml"))
errors = 0
versions = {}
for f in files:
    doc = yaml.load(f.read_text(), Loader=Loader)
    errs = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errs:
        print(f"{f}: {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}")
    errors += len(errs)
    if errs or not isinstance(doc, dict):
        continue
    # cross-field checks the schema cannot express
    req_ids = [r["id"] for r in doc["requirements"]]
    problems = []
    if len(set(req_ids)) != len(req_ids):
        problems.append("duplicate requirement ids")
    cites = set(doc["citations"])
    for r in doc["requirements"]:
        if r["cite"] not in cites:
            problems.append(f"requirement {r['id']} cites unknown {r['cite']}")
    named = {}
    for x in doc.get("exemptions", []):
        if x["cite"] not in cites:
            problems.append(f"exemption {x['id']} cites unknown {x['cite']}")
        ids = req_ids if x["exempts"] == "all" else x["exempts"]
        for i in list(ids) + x.get("except", []):
            if i not in req_ids:
                problems.append(f"exemption {x['id']} names unknown requirement {i}")
        covered = [i for i in ids if i not in x.get("except", [])]
        for i in covered:
            p = x.get("precedence", 0)
            if (i, p) in named:
                problems.append(f"exemptions {named[(i, p)]} and {x['id']} name {i} with the same precedence {p}")
            named[(i, p)] = x["id"]
    for t in doc.get("tests", []):
        ex = t["expect"]
        seen = {}
        for k in ("met", "unmet", "exempt", "not_applicable", "unknown"):
            for i in ex.get(k, []):
                if i not in req_ids:
                    problems.append(f"test '{t['name']}': {k} names unknown requirement {i}")
                if i in seen:
                    problems.append(f"test '{t['name']}': {i} in both {seen[i]} and {k}")
                seen[i] = k
        if all(k in ex for k in ("met", "unmet", "exempt", "not_applicable")) and set(seen) != set(req_ids):
            problems.append(f"test '{t['name']}': lists do not cover {sorted(set(req_ids) - set(seen))}")
    rel = f.resolve().relative_to(root / "RulePacks") if (root / "RulePacks") in f.resolve().parents else f
    versions.setdefault(doc["pack"], []).append((doc["version"], doc["effective"], str(f)))
    for p in problems:
        print(f"{f}: {p}")
    errors += len(problems)
for pack, vs in versions.items():
    vs.sort()
    for (v1, e1, f1), (v2, e2, f2) in zip(vs, vs[1:]):
        import datetime as dt
        end = e1.get("to")
        if end is None or dt.date.fromisoformat(end) + dt.timedelta(days=1) != dt.date.fromisoformat(e2["from"]):
            print(f"{pack}: versions {v1} and {v2} overlap or leave a gap ({e1} / {e2})")
            errors += 1
print(f"{len(files)} pack(s), {errors} error(s)")
sys.exit(1 if errors else 0)
