#!/usr/bin/env python3
"""Tests of the generator's reading of compiled rule versions (standard library only).

    python3 -m unittest discover -s Tools/generate -p 'test_*.py'

The rule versions here are written by hand with only the members the generator reads, so the
tests need no credrules build.
"""

import calendar
import collections
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = os.path.join(HERE, "generate_population.py")
CHECKER = os.path.join(HERE, "check_population.py")


def version(pack, state, credential="license", types=None, months=24, window=None, requirements=(), effective=None):
    applies = {} if state is None else {"state": state}
    if types:
        applies["license_types"] = types
    return {
        "format": "credrules.rule-version/1", "pack": pack, "version": 1, "credential": credential,
        "applies_to": applies, "effective": effective or {"from": "2020-01-01"},
        "cycle": {"months": months, "cme_window_months": window or months, "first_term_months": months, "warn_within_days": 90},
        "parameters": [{"name": "total_hours", "type": "int", "values": [{"from": "2019-01-01", "value": 48}]}],
        "attributes": [], "requirements": list(requirements), "exemptions": [], "tests": [],
    }


def hours(rid, value, categories=None, kind="cme_hours", **extra):
    r = {"id": rid, "kind": kind, "hours": value if isinstance(value, dict) else {"constant": value}}
    if categories:
        r["categories"] = categories
    r.update(extra)
    return r


def write_rules(directory, versions):
    os.makedirs(directory, exist_ok=True)
    manifest = []
    for v in versions:
        name = v["pack"].replace("/", "__") + "@%d.json" % v["version"]
        with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
            json.dump(v, f)
        manifest.append({"pack": v["pack"], "version": v["version"], "effective": v["effective"], "file": name})
    with open(os.path.join(directory, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f)


def texas(category="ethics"):
    return version("US-TX/physician-license", "TX", requirements=[
        hours("cme-total", {"expression": {"source": "params.total_hours", "type": "int", "attributes": []}}),
        hours("cme-topic", 2, [category]),
    ])


BASE = [
    texas(),
    version("US-IL/csr-registration", "IL", credential="csr_certificate", months=36),
    version("US/dea-registration", None, credential="dea_registration", months=36, requirements=[
        hours("mate-training", 8, ["substance_use_disorder", "opioid_prescribing"], kind="one_time_training"),
    ]),
]


class GeneratorTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def rules(self, versions, name="rules"):
        path = os.path.join(self.tmp.name, name)
        write_rules(path, versions)
        return path

    def generate(self, rules, *args):
        out = subprocess.run([sys.executable, GENERATOR, "--seed", "5", "--rules", rules] + list(args),
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def records(self, text):
        return [json.loads(line) for line in text.splitlines() if line]

    def test_same_arguments_and_rule_versions_give_identical_bytes(self):
        rules = self.rules(BASE)
        one = self.generate(rules, "--providers", "300", "--jsonl", "--jobs", "1")
        two = self.generate(rules, "--providers", "300", "--jsonl", "--jobs", "2")
        self.assertEqual(one, two)
        whole = self.generate(rules, "--providers", "30")
        self.assertEqual(whole, self.generate(rules, "--providers", "30"))

    def test_a_pack_change_changes_what_is_drawn(self):
        ethics = self.records(self.generate(self.rules(BASE), "--providers", "400", "--jsonl"))
        changed = self.records(self.generate(self.rules([texas("human_trafficking")] + BASE[1:], "changed"),
                                             "--providers", "400", "--jsonl"))

        def topic_hours(records, category):
            total = 0.0
            for rec in records:
                if any(l["state"] == "TX" for l in rec["licenses"]):
                    total += sum(float(e["credits_earned"]) for e in rec["cme_events"] if e["category"] == category)
            return total

        self.assertGreater(topic_hours(ethics, "ethics"), topic_hours(changed, "ethics"))
        self.assertGreater(topic_hours(changed, "human_trafficking"), topic_hours(ethics, "human_trafficking"))

    def test_every_jurisdiction_gets_providers_and_csrs_follow_the_csr_packs(self):
        records = self.records(self.generate(self.rules(BASE), "--providers", "51", "--jsonl", "--every-jurisdiction"))
        states = {l["state"] for rec in records for l in rec["licenses"]}
        self.assertEqual(len(states), 51)
        self.assertIn("DC", states)
        many = self.records(self.generate(self.rules(BASE), "--providers", "3000", "--jsonl"))
        csr_states = collections.Counter(c["state"] for rec in many for c in rec["csr_certificates"])
        self.assertEqual(set(csr_states), {"IL"})
        # without a DEA pack there is no MATE training to place, and DEA registrations are still drawn
        no_dea = self.records(self.generate(self.rules(BASE[:2], "no-dea"), "--providers", "200", "--jsonl"))
        self.assertTrue(any(rec["dea_registrations"] for rec in no_dea))

    def test_a_pack_not_yet_in_effect_is_not_drawn_from(self):
        later = version("US-IL/csr-registration", "IL", credential="csr_certificate", effective={"from": "2030-01-01"})
        records = self.records(self.generate(self.rules([texas(), later], "later"), "--providers", "2000", "--jsonl"))
        self.assertFalse(any(rec["csr_certificates"] for rec in records))

    def test_the_checker_accepts_the_output(self):
        rules = self.rules(BASE)
        path = os.path.join(self.tmp.name, "pop.jsonl")
        self.generate(rules, "--providers", "200", "--jsonl", "--out", path)
        check = subprocess.run([sys.executable, CHECKER, path, "--rules", rules], capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def test_expiration_dates_follow_the_packs_expiry_rules(self):
        current = lambda expiry, types=None: {"id": "license-current", "kind": "credential_current", "expiry": expiry}
        versions = BASE + [
            version("US-MD/physician-license", "MD", types=["MD", "DO"], requirements=[
                current({"day": "09-30", "surnames": [{"from": "A", "to": "L", "years": "even"}, {"from": "M", "to": "Z", "years": "odd"}]})]),
            version("US-ME/md-license", "ME", types=["MD"], requirements=[
                current({"day": "end_of_birth_month", "years": "birth_year_parity"})]),
            version("US-HI/physician-license", "HI", types=["MD", "DO"], requirements=[
                current({"day": "01-31", "years": "even", "license_types": ["MD"]})]),
            version("US-ND/physician-license", "ND", types=["MD", "DO"], months=12, requirements=[
                current({"day": "birthday", "years": "any"})]),
            version("US-VA/physician-license", "VA", types=["MD", "DO"], requirements=[
                current({"day": "birth_month", "years": "any"})]),
            version("US-IN/physician-license", "IN", types=["MD", "DO"], months=36, requirements=[
                current({"day": "07-31", "years": {"every": 3, "including": 2026}})]),
        ]
        records = self.records(self.generate(self.rules(versions, "expiry"), "--providers", "4000", "--jsonl"))
        seen = collections.Counter()
        for rec in records:
            person = rec["providers"][0]
            initial = next(c.upper() for c in person["last_name"] if c.isalpha())
            born = person["date_of_birth"]
            for lic in rec["licenses"]:
                exp = lic["expiration_date"]
                year, month_day = int(exp[:4]), exp[5:]
                if lic["state"] == "MD":
                    seen["MD"] += 1
                    self.assertEqual(month_day, "09-30", lic)
                    self.assertEqual(year % 2 == 0, initial <= "L", (person["last_name"], lic))
                elif lic["state"] == "ME" and lic["license_type"] == "MD":
                    seen["ME"] += 1
                    self.assertEqual(exp[5:7], born[5:7], (born, lic))
                    self.assertEqual(year % 2, int(born[:4]) % 2, (born, lic))
                elif lic["state"] == "ND":
                    seen["ND"] += 1
                    leap_born_in_common_year = born[5:] == "02-29" and not calendar.isleap(year)
                    self.assertEqual(month_day, "02-28" if leap_born_in_common_year else born[5:], (born, lic))
                elif lic["state"] == "VA":
                    seen["VA"] += 1
                    self.assertEqual(exp[5:7], born[5:7], (born, lic))
                elif lic["state"] == "IN":
                    seen["IN"] += 1
                    self.assertEqual((month_day, (year - 2026) % 3), ("07-31", 0), lic)
                elif lic["state"] == "HI":
                    seen["HI " + lic["license_type"]] += 1
                    if lic["license_type"] == "MD":
                        self.assertEqual((month_day, year % 2), ("01-31", 0), lic)
        self.assertGreater(seen["MD"], 20)
        self.assertGreater(seen["ME"], 3)
        self.assertGreater(seen["HI MD"], 3)
        for state in ("ND", "VA", "IN"):
            self.assertGreater(seen[state], 3, state)
        # HI DOs are not governed by the rule: they keep anniversary dates, which are rarely January 31
        self.assertGreater(seen["HI DO"], 0)

    def test_missing_rules_are_a_clear_error(self):
        out = subprocess.run([sys.executable, GENERATOR, "--providers", "1", "--seed", "1", "--rules",
                              os.path.join(self.tmp.name, "nowhere")], capture_output=True, text=True)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("cannot read manifest.json", out.stderr)
        self.assertIn("credrules compile RulePacks --out", out.stderr)
        out = subprocess.run([sys.executable, GENERATOR, "--providers", "1", "--seed", "1"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)
        self.assertIn("--rules", out.stderr)


if __name__ == "__main__":
    unittest.main()
