#!/usr/bin/env python3
"""Synthetic provider-facts generator for credrules.

Writes a population of synthetic US physicians (MD/DO) in the facts-on-file format of BRIEF §2:
one JSON object whose keys are table names and whose values are arrays of rows, or, with
--jsonl, one provider's object per line (same keys, only that provider's rows).

Determinism: every provider is drawn from its own random.Random seeded from (--seed, index),
using only Random.random(), so the same arguments give byte-identical output, provider k is
the same whatever --providers is, and --invalid-rate does not disturb the valid rows (defects
use a separate stream).  No clock is read: the as-of date is an argument.

Standard library only.  See README.md beside this file.
"""

import argparse
import calendar
import datetime as dt
import json
import os
import random
import re
import sys
import tempfile

TABLES = (
    "board_certifications",
    "cme_events",
    "csr_certificates",
    "dea_registrations",
    "licenses",
    "provider_attributes",
    "provider_states",
    "providers",
)

# --------------------------------------------------------------------------------------------
# Random helpers: built on Random.random() only (stable across Python versions).


class Draw:
    __slots__ = ("r",)

    def __init__(self, seed_material):
        self.r = random.Random(seed_material).random

    def chance(self, p):
        return self.r() < p

    def int(self, lo, hi):  # inclusive
        return lo + int(self.r() * (hi - lo + 1))

    def pick(self, seq):
        return seq[int(self.r() * len(seq))]

    def wpick(self, table, u=None):  # table: (cumulative weights, items, total)
        cum, items, total = table
        x = (self.r() if u is None else u) * total
        for i, c in enumerate(cum):
            if x < c:
                return items[i]
        return items[-1]

    def uniform(self, a, b):
        return a + (b - a) * self.r()

    def date_between(self, a, b):  # inclusive date range
        if b <= a:
            return a
        return dt.date.fromordinal(a.toordinal() + int(self.r() * (b.toordinal() - a.toordinal() + 1)))


def weighted(pairs):
    cum, items, t = [], [], 0.0
    for item, w in pairs:
        t += w
        cum.append(t)
        items.append(item)
    return (cum, items, t)


# --------------------------------------------------------------------------------------------
# Dates


_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(y, m):
    if m == 2 and calendar.isleap(y):
        return 29
    return _DAYS[m]


def eom(y, m):
    return dt.date(y, m, days_in_month(y, m))


def clamp_day(y, m, d):
    return dt.date(y, m, min(d, days_in_month(y, m)))


def add_months(d, n, end_of_month=False):
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    return eom(y, m) if end_of_month else clamp_day(y, m, d.day)


def birthday_in(year, dob):
    # Feb 29 birthdays fall on Feb 28 in common years (MA rule).
    return clamp_day(year, dob.month, dob.day)


def iso(d):
    return d.isoformat() if d is not None else None


# --------------------------------------------------------------------------------------------
# Reference data

# Where physicians practise: every state and DC, weighted roughly by population (reference data, not
# rules).  Which of them have packs, and what those packs require, comes from the rule versions
# (--rules); a jurisdiction without a pack still gets providers, whose credentials no pack covers.
STATE_WEIGHT_TABLE = (
    ("CA", 39.0), ("TX", 30.0), ("FL", 22.0), ("NY", 20.0), ("PA", 13.0), ("IL", 12.5), ("OH", 11.8),
    ("GA", 11.0), ("NC", 10.7), ("MI", 10.0), ("NJ", 9.3), ("VA", 8.7), ("WA", 7.8), ("AZ", 7.4),
    ("TN", 7.1), ("MA", 7.0), ("IN", 6.9), ("MD", 6.2), ("MO", 6.2), ("WI", 5.9), ("CO", 5.9), ("MN", 5.7),
    ("SC", 5.4), ("AL", 5.1), ("LA", 4.6), ("KY", 4.5), ("OR", 4.2), ("OK", 4.0), ("CT", 3.6), ("UT", 3.4),
    ("IA", 3.2), ("NV", 3.2), ("AR", 3.1), ("MS", 2.9), ("KS", 2.9), ("NM", 2.1), ("NE", 2.0), ("ID", 1.9),
    ("WV", 1.8), ("HI", 1.4), ("NH", 1.4), ("ME", 1.4), ("MT", 1.1), ("RI", 1.1), ("DE", 1.0), ("SD", 0.9),
    ("ND", 0.8), ("AK", 0.7), ("DC", 0.7), ("VT", 0.65), ("WY", 0.58),
)
STATE_CODES = tuple(sorted(code for code, _ in STATE_WEIGHT_TABLE))

FIRST_NAMES = (
    "Aaliyah Aaron Abigail Adam Adrian Aisha Alan Alejandro Alexander Alice Amanda Amir Ana Andrea Andrew "
    "Angela Anil Anna Anthony Arjun Ashley Benjamin Brandon Brian Camila Carlos Carmen Catherine Chen "
    "Christina Christopher Claire Daniel David Deepa Diana Diego Dmitri Eduardo Elena Elizabeth Emily Emma "
    "Eric Ethan Fatima Fernando Gabriel Grace Hannah Hassan Hiroshi Isabel Jacob James Jasmine Jennifer "
    "Jessica Ji-woo John Jonathan Jose Joseph Joshua Julia Kamala Karen Katherine Kevin Laura Leila Linda "
    "Lucas Luis Maria Mark Matthew Mei Michael Michelle Mohammed Nadia Natalie Nicholas Nicole Olivia "
    "Omar Patricia Paul Priya Rachel Rahul Rebecca Ricardo Robert Samuel Sarah Sofia Stephen Susan "
    "Thomas Valentina Victoria William Xavier Yasmin Yusuf Zoe"
).split()
LAST_NAMES = (
    "Abbott Adams Agarwal Ahmed Alvarez Anderson Baker Banerjee Bennett Brooks Brown Campbell Carter Castillo "
    "Chang Chen Clark Collins Cooper Cruz Davis Diaz Edwards Evans Fischer Flores Foster Garcia Gomez "
    "Gonzalez Green Gupta Hall Harris Hernandez Hill Hoang Howard Hughes Ibrahim Ito Jackson James Jensen "
    "Johnson Jones Kapoor Kaur Kelly Khan Kim King Kowalski Kumar Lee Lewis Lopez Martin Martinez Mehta "
    "Miller Mitchell Moore Morales Morris Murphy Nakamura Nelson Nguyen Novak Okafor Olsen Ortiz Owens "
    "Park Parker Patel Perez Peterson Phillips Quinn Ramirez Reddy Reyes Richardson Rivera Roberts "
    "Robinson Rodriguez Rossi Russell Sanchez Sato Schmidt Scott Shah Silva Singh Smith Stewart Sullivan "
    "Tanaka Taylor Thomas Thompson Torres Tran Turner Usman Valdez Vasquez Walker Wang Ward Watson White "
    "Williams Wilson Wong Wright Xu Yamamoto Yang Young Zhang Zimmerman"
).split()

SPECIALTY_WEIGHTS = weighted([
    ("internal_medicine", 26), ("family_medicine", 22), ("psychiatry", 10), ("emergency_medicine", 10),
    ("anesthesiology", 9), ("radiology", 8), ("pathology", 4), ("addiction_medicine", 2.5),
    ("addiction_psychiatry", 1.5),
])
BOARDS_MD = {
    "internal_medicine": "American Board of Internal Medicine",
    "family_medicine": "American Board of Family Medicine",
    "psychiatry": "American Board of Psychiatry and Neurology",
    "emergency_medicine": "American Board of Emergency Medicine",
    "anesthesiology": "American Board of Anesthesiology",
    "radiology": "American Board of Radiology",
    "pathology": "American Board of Pathology",
    "addiction_medicine": "American Board of Preventive Medicine",
    "addiction_psychiatry": "American Board of Psychiatry and Neurology",
}
BOARDS_DO = {
    "internal_medicine": "American Osteopathic Board of Internal Medicine",
    "family_medicine": "American Osteopathic Board of Family Physicians",
    "psychiatry": "American Osteopathic Board of Neurology and Psychiatry",
    "emergency_medicine": "American Osteopathic Board of Emergency Medicine",
    "anesthesiology": "American Osteopathic Board of Anesthesiology",
    "radiology": "American Osteopathic Board of Radiology",
    "pathology": "American Osteopathic Board of Pathology",
    "addiction_medicine": "American Osteopathic Association Addiction Medicine",
    "addiction_psychiatry": "American Osteopathic Board of Neurology and Psychiatry",
}

TITLES = {
    "general": ("Annual Scientific Assembly", "Grand Rounds Series", "Clinical Update in Primary Care",
                "Board Review Course", "Journal-Based CME Activity", "Regional Medical Conference",
                "Advances in Hospital Medicine", "Point-of-Care Learning (PoC)"),
    "ethics": ("Medical Ethics and Professional Responsibility", "Ethical Dilemmas in Clinical Practice",
               "Licensee's Duty to Report Misconduct"),
    "pain_management": ("Pain Management and Care of the Terminally Ill (B&P 2190.5)",
                        "Pain Management, Palliative Care and Addiction",
                        "Pain Medicine Update for Pain-Clinic Physicians"),
    "end_of_life_care": ("End-of-Life Care and Palliative Medicine", "Hospice and Terminal Care Essentials"),
    "opioid_prescribing": ("Safe Opioid Prescribing", "Controlled Substance Prescribing Practices",
                           "Responsible Opioid Prescribing and PDMP Use"),
    "substance_use_disorder": ("MATE Act: Treating Opioid and Other Substance Use Disorders",
                               "Buprenorphine and Medications for Opioid Use Disorder",
                               "Screening and Brief Intervention for Substance Use"),
    "medical_errors": ("Prevention of Medical Errors", "Top Five Misdiagnosed Conditions"),
    "patient_safety": ("Patient Safety and Risk Management", "Diagnostic Safety in Practice",
                       "Medication Safety Fundamentals"),
    "risk_management": ("Risk Management for Physicians", "Malpractice Risk Reduction"),
    "domestic_violence": ("Domestic Violence: Recognition and Response",),
    "child_abuse": ("Child Abuse Recognition and Reporting", "Mandated Reporter Training"),
    "human_trafficking": ("Human Trafficking: Identification and Assistance",),
    "hiv_aids": ("HIV/AIDS Update",),
    "implicit_bias": ("Implicit Bias in Health Care",),
    "cultural_competency": ("Cultural Competency in Clinical Care",),
    "sexual_harassment_prevention": ("Sexual Harassment Prevention",),
    "dementia": ("Recognizing Alzheimer's Disease and Related Dementias",),
    "infection_control": ("Infection Control and Barrier Precautions (incl. Sepsis)",),
    "geriatrics": ("Geriatric Medicine Update", "Care of the Older Adult"),
    "suicide_prevention": ("Suicide Assessment, Treatment and Management",),
    "health_equity": ("Health Equity and Implicit Bias",),
    "professional_boundaries": ("Professional Boundaries and Sexual Misconduct",),
    "laws_and_rules": ("State Laws and Rules for Physicians", "Board Regulations Review"),
    "electronic_health_records": ("EHR Proficiency",),
}
FILLER_CATEGORIES = weighted([
    ("general", 70), ("patient_safety", 4), ("risk_management", 3), ("geriatrics", 3), ("infection_control", 2),
    ("ethics", 2), ("pain_management", 2), ("implicit_bias", 2), ("cultural_competency", 2),
    ("health_equity", 1), ("electronic_health_records", 1), ("end_of_life_care", 1), ("dementia", 1),
    ("suicide_prevention", 1), ("opioid_prescribing", 2), ("substance_use_disorder", 1),
])

SCHEDULES_FULL = ["2", "2N", "3", "3N", "4", "5"]
SCHEDULES_NO2 = ["3", "3N", "4", "5"]

# --------------------------------------------------------------------------------------------
# Renewal cycles and expiration-date rules (see regulations/us-physician-requirements.md)

CA_SB798 = dt.date(2018, 7, 1)
OH_HB166 = dt.date(2019, 10, 17)


def cycle_months(state, ltype):
    model = RULES.license.get((state, ltype))
    return model.months if model else GENERIC_CYCLE_MONTHS


def cme_window_months(state, ltype):
    model = RULES.license.get((state, ltype))
    return model.window if model else GENERIC_CYCLE_MONTHS


def first_on_or_after(candidates_for_year, start_year, bound):
    y = start_year
    while True:
        for d in candidates_for_year(y):
            if d is not None and d >= bound:
                return d
        y += 1


def first_expiration(state, ltype, issue, dob, last_name, fl_group):
    """First expiration date after issue, per the state's rule; also returns the step in years and
    the day policy used for later expirations ("eom", "day", "bday", "fixed")."""
    nxt = issue + dt.timedelta(days=1)
    if state == "CA":
        if ltype == "DO" or issue >= CA_SB798:
            return eom(issue.year + 2, issue.month), 2, "eom"
        bound = add_months(issue, 12)
        return first_on_or_after(lambda y: [eom(y, dob.month)], bound.year, bound), 2, "eom"
    if state == "GA":
        bound = add_months(issue, 12)
        return first_on_or_after(lambda y: [eom(y, dob.month)], bound.year, bound), 2, "eom"
    if state == "WA":
        if ltype == "DO":
            bound = add_months(issue, 6)
            return first_on_or_after(lambda y: [birthday_in(y, dob)], bound.year, bound), 1, "bday"
        bound = add_months(issue, 12)
        return first_on_or_after(lambda y: [birthday_in(y, dob)], bound.year, bound), 2, "bday"
    if state == "MA":
        bound = add_months(issue, 15)
        return first_on_or_after(lambda y: [birthday_in(y, dob)], bound.year, bound), 2, "bday"
    if state == "PA":
        month = 12 if ltype == "MD" else 10
        return first_on_or_after(lambda y: [eom(y, month)] if y % 2 == 0 else [], issue.year, nxt), 2, "eom"
    if state == "FL":
        if ltype == "DO":
            return first_on_or_after(lambda y: [eom(y, 3)] if y % 2 == 0 else [], issue.year, nxt), 2, "eom"
        return first_on_or_after(lambda y: [eom(y, 1)] if y % 2 == fl_group else [], issue.year, nxt), 2, "eom"
    if state == "IL":
        return first_on_or_after(lambda y: [eom(y, 7)] if y % 3 == 2026 % 3 else [], issue.year, nxt), 3, "eom"
    if state == "NY":
        return eom(issue.year + 3, issue.month), 3, "eom"
    if state == "OH" and issue < OH_HB166:
        # legacy staggered groups by first letter of last name, quarter-start renewal dates
        letter = ord(last_name[0].upper()) - 65
        month = (1, 4, 7, 10)[min(3, letter * 4 // 26)]
        parity = letter % 2
        bound = add_months(issue, 12)
        return first_on_or_after(lambda y: [dt.date(y, month, 1)] if y % 2 == parity else [],
                                 bound.year, bound), 2, "day"
    model = RULES.license.get((state, ltype))
    if model is not None and model.expiry is not None:
        ruled = rule_expiration(model.expiry, ltype, issue, dob, last_name, cycle_months(state, ltype))
        if ruled is not None:
            return ruled
    # TX, OH (post HB 166), other states: anniversary of issue
    years = max(1, cycle_months(state, ltype) // 12)
    return clamp_day(issue.year + years, issue.month, issue.day), years, "day"


def surname_initial(last_name):
    """The first letter A-Z of a surname, uppercased, as the engine reads it (None when it has none)."""
    for ch in last_name:
        if "A" <= ch.upper() <= "Z" and ch.isascii():
            return ch.upper()
    return None


def rule_expiration(expiry, ltype, issue, dob, last_name, months):
    """First expiration after issue under a pack's expiry rule (`expiry` of its credential_current
    requirement, pack-language §3.12), with the step in years and the day policy; None when the
    rule does not govern this licence type or cannot be applied (then the anniversary rule holds)."""
    types = expiry.get("license_types")
    if types and ltype not in types:
        return None
    day = expiry["day"]
    # birth_month allows any day of the birth month; its last day is drawn, as for end_of_birth_month.
    birth_keyed = day in ("end_of_birth_month", "birth_month", "birthday")
    month, dom = (dob.month, None) if birth_keyed else (int(day[:2]), int(day[3:]))
    series = expiry.get("years") if isinstance(expiry.get("years"), dict) else None
    parity = None
    if "surnames" in expiry:
        initial = surname_initial(last_name)
        ranges = [r["years"] for r in expiry["surnames"] if initial and r["from"] <= initial <= r["to"]]
        if not ranges:
            return None
        parity = ranges[0]
    elif expiry.get("years") == "birth_year_parity":
        parity = "even" if dob.year % 2 == 0 else "odd"
    elif expiry.get("years") in ("even", "odd"):
        parity = expiry["years"]

    def candidates(y):
        if parity is not None and (y % 2 == 0) != (parity == "even"):
            return []
        if series is not None and (y - series["including"]) % series["every"] != 0:
            return []
        if day == "birthday":
            return [birthday_in(y, dob)]
        return [eom(y, month) if dom is None else dt.date(y, month, dom)]

    first = first_on_or_after(candidates, issue.year, issue + dt.timedelta(days=1))
    years = series["every"] if series is not None else 2 if parity is not None else max(1, months // 12)
    policy = "bday" if day == "birthday" else "eom" if dom is None else "day"
    return first, years, policy


def step_expiration(first, k, years, policy, dob):
    y = first.year + k * years
    if policy == "eom":
        return eom(y, first.month)
    if policy == "bday":
        return birthday_in(y, dob)
    return clamp_day(y, first.month, first.day)


# --------------------------------------------------------------------------------------------
# What to draw, read from the compiled rule versions (`credrules compile RulePacks --out DIR`).
#
# Per pack, the version in effect on --as-of (the highest version number if several, as the
# engine chooses).  Licence packs give each (state, licence type) its renewal cycle, CME window,
# total and formal hours and mandated categories; CSR packs say which states have a state
# controlled-substance registration, with its cycle and CE; the nationwide DEA pack gives the
# one-time training DEA registrants need.  Requirements are placed as a provider meeting them
# would; a `when` condition is honoured only in its simple forms (`provider.KEY`, a DEA or CSR
# registration in the credential's state), otherwise the hours are placed anyway.

GENERIC_CYCLE_MONTHS = 24   # a jurisdiction without a licence pack: anniversary renewal
GENERIC_TOTAL_HOURS = 40    # ... and some general CME, which no pack counts
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
_PARAM = re.compile(r"params\.(\w+)")
_WHEN_ATTRIBUTE = re.compile(r"^provider\.(\w+)$")
_WHEN_DEA = re.compile(r"^dea_registrations\.exists\((\w+), \1\.state == credential\.state\)$")
_WHEN_CSR = re.compile(r"^csr_certificates\.exists\((\w+), \1\.state == credential\.state\)$")


class Model:
    """What one credential's pack asks for: cycle, window, hours, mandated categories."""
    __slots__ = ("pack", "months", "window", "total", "formal", "reqs", "expiry")

    def __init__(self, pack, months, window):
        self.pack, self.months, self.window = pack, months, window
        self.total, self.formal = 0, 0
        self.expiry = None      # the credential_current requirement's expiry rule, if any
        # (category, hours, scope "cycle"/"once", condition, lookback months, credit types, months after issue)
        self.reqs = []


class Rules:
    """The rule versions in effect on the as-of date, reduced to what the generator draws."""

    def __init__(self, directory, as_of):
        try:
            with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as f:
                manifest = json.load(f)
        except (OSError, ValueError) as e:
            raise SystemExit("error: --rules %s: cannot read manifest.json (%s); write it with "
                             "`credrules compile RulePacks --out %s`" % (directory, e, directory))
        chosen = {}
        for entry in sorted(manifest, key=lambda e: (e["pack"], e["version"])):
            eff = entry["effective"]
            if dt.date.fromisoformat(eff["from"]) <= as_of and (eff.get("to") is None or as_of <= dt.date.fromisoformat(eff["to"])):
                chosen[entry["pack"]] = entry
        self.license, self.csr, self.dea = {}, {}, None
        self.attributes = {}     # state -> [(key, type, default)] declared by its packs
        self.categories = set()
        self.packs = []
        for pack in sorted(chosen):
            with open(os.path.join(directory, chosen[pack]["file"]), encoding="utf-8") as f:
                version = json.load(f)
            self.packs.append("%s@%d" % (pack, version["version"]))
            model = self._model(version, as_of)
            state = version.get("applies_to", {}).get("state")
            kind = version["credential"]
            if state:
                self.attributes.setdefault(state, []).extend(
                    (a["key"], a["type"], a.get("default")) for a in version.get("attributes", []))
            if kind == "license" and state:
                for ltype in version["applies_to"].get("license_types") or ("MD", "DO"):
                    self.license[(state, ltype)] = self._merge(self.license.get((state, ltype)), model)
            elif kind == "csr_certificate" and state:
                self.csr[state] = self._merge(self.csr.get(state), model)
            elif kind == "dea_registration" and not state:
                self.dea = self._merge(self.dea, model)
        self.states = tuple(sorted(set(STATE_CODES) | {s for s, _ in self.license} | set(self.csr)))
        extra = [(s, 0.5) for s in self.states if s not in dict(STATE_WEIGHT_TABLE)]
        self.state_weights = weighted(list(STATE_WEIGHT_TABLE) + extra)
        # the one-time training DEA registrants need (MATE Act), if a DEA pack asks for one
        self.mate = None
        if self.dea:
            once = [r for r in self.dea.reqs if r[2] == "once"]
            if once:
                self.mate = (once[0][1], [once[0][0]] + [c for c in DEA_MATE_ALSO if c != once[0][0]])

    @staticmethod
    def _merge(old, new):
        if old is None:
            return new
        old.total, old.formal = max(old.total, new.total), max(old.formal, new.formal)
        old.expiry = old.expiry or new.expiry
        old.reqs += new.reqs
        return old

    def _model(self, version, as_of):
        cycle = version.get("cycle", {})
        months = int(cycle.get("months") or GENERIC_CYCLE_MONTHS)
        model = Model(version["pack"], months, int(cycle.get("cme_window_months") or months))
        params = {}
        for param in version.get("parameters", []):
            values = [v for v in param.get("values", []) if dt.date.fromisoformat(v["from"]) <= as_of]
            if values and isinstance(values[-1]["value"], (int, float)):
                params[param["name"]] = float(values[-1]["value"])
        for r in version.get("requirements", []):
            if r["kind"] == "credential_current" and r.get("expiry"):
                model.expiry = r["expiry"]
            if r["kind"] not in ("cme_hours", "one_time_training") or "hours" not in r:
                continue
            hours = self._hours(r["hours"], params)
            if hours <= 0:
                continue
            cats = r.get("categories")
            self.categories.update(cats or ())
            if r["kind"] == "cme_hours" and not cats:
                if r.get("credit_types"):
                    model.formal = max(model.formal, hours)
                model.total = max(model.total, hours)
                continue
            deadline = r.get("deadline") or {}
            model.reqs.append((cats[0] if cats else "general", hours,
                               "once" if r["kind"] == "one_time_training" else "cycle",
                               self._condition(r.get("when")), r.get("lookback_months"), r.get("credit_types"),
                               deadline.get("months_after_issue")))
        return model

    @staticmethod
    def _hours(spec, params):
        """A constant, or for an expression the most it can ask for: the largest number or
        parameter it names (a first-term proration asks for less; a full term is placed)."""
        if "constant" in spec:
            return float(spec["constant"])
        source = spec.get("expression", {}).get("source", "")
        candidates = [float(n) for n in _NUMBER.findall(_PARAM.sub(" ", source))]
        candidates += [params[name] for name in _PARAM.findall(source) if name in params]
        return max(candidates, default=0.0)

    @staticmethod
    def _condition(when):
        if not when:
            return None
        source = " ".join(when["source"].split())
        m = _WHEN_ATTRIBUTE.match(source)
        if m:
            return ("attribute", m.group(1))
        if _WHEN_DEA.match(source):
            return ("dea",)
        if _WHEN_CSR.match(source):
            return ("csr",)
        return None


# Categories that count toward the DEA training besides the one its pack names first.
DEA_MATE_ALSO = ("substance_use_disorder", "opioid_prescribing")
RULES = None   # set by main() before any provider is drawn (forked workers inherit it)
EVERY_JURISDICTION = False   # --every-jurisdiction


def applies(condition, p, state):
    """Whether a requirement's (simple) condition holds for the provider in `state`."""
    if condition is None:
        return True
    if condition[0] == "attribute":
        value = p["attributes"].get(condition[1], True)
        return value is True or (value not in (False, None) and not isinstance(value, bool))
    if condition[0] == "dea":
        return state in p["dea_states"]
    return state in p["csr_states"]


def requirements_for(state, ltype, p):
    """Returns (total_hours, formal_hours, [(category, hours, scope, lookback, credit types, months after issue)])
    for the provider's licence in `state`, from the licence pack in effect."""
    model = RULES.license.get((state, ltype))
    if model is None:
        return GENERIC_TOTAL_HOURS, 0, []
    reqs = [(cat, hrs, scope, lookback, ctypes, within) for cat, hrs, scope, cond, lookback, ctypes, within in model.reqs
            if applies(cond, p, state)]
    return model.total, model.formal, reqs


# --------------------------------------------------------------------------------------------
# License-number and identifier formats


def license_number(d, state, ltype):
    n = d.int
    if state == "CA":
        return "A%06d" % n(20000, 199999) if ltype == "MD" else "20A%04d" % n(1000, 9999)
    if state == "TX":
        return "%s%04d" % (d.pick("BCDEFGHJKLMNPQRSTUVWXZ"), n(1000, 9999))
    if state == "FL":
        return "ME%06d" % n(10000, 199999) if ltype == "MD" else "OS%05d" % n(1000, 19999)
    if state == "NY":
        return "%06d" % n(150000, 329999)
    if state == "PA":
        return "MD%06d" % n(10000, 499999) if ltype == "MD" else "OS%06d" % n(1000, 29999)
    if state == "OH":
        return ("35.%06d" if ltype == "MD" else "34.%06d") % n(10000, 199999)
    if state == "IL":
        return "036.%06d" % n(50000, 169999)
    if state == "GA":
        return "%06d" % n(10000, 99999)
    if state == "WA":
        return ("MD%08d" if ltype == "MD" else "OP%08d") % n(60000000, 61299999)
    if state == "MA":
        return "%06d" % n(100000, 299999)
    return "%s-%s%06d" % (state, ltype, n(1000, 999999))


def dea_number(d, last_name):
    first = d.pick("ABFG")
    second = last_name[0].upper()
    digits = [d.int(0, 9) for _ in range(6)]
    check = (digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])) % 10
    return first + second + "".join(map(str, digits)) + str(check)


def fake_npi(d):
    # 10 digits with a valid Luhn check digit (prefix 80840), but starting with 9: real NPIs
    # start with 1 or 2, so these can never name a real provider.
    body = [9] + [d.int(0, 9) for _ in range(8)]
    total = 24
    for i, digit in enumerate(reversed(body)):
        if i % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return "".join(map(str, body)) + str((10 - total % 10) % 10)


def credit_value(x):
    """Credits as JSON numbers when whole, decimal strings otherwise (quarter-hour grid)."""
    q = round(x * 4)
    if q % 4 == 0:
        return q // 4
    s = "%d.%02d" % (q // 4, (q % 4) * 25)
    return s.rstrip("0")


def credit_float(v):
    return float(v) if isinstance(v, str) else v


# --------------------------------------------------------------------------------------------
# Provider generation

LICENSE_COUNT = weighted([(1, 64), (2, 26), (3, 10)])
# complete: every modelled requirement met (hours placed inside each licence's window);
# on_track: mid-cycle, hours in proportion to the elapsed part of the window (usually in_progress);
# short_total: categories met, total 30-85% of the requirement; short_category: total met, one
# mandated category missing or halved; sparse: a few hours, mostly missing; none: no CME at all.
CME_PROFILE = weighted([("complete", 38), ("on_track", 12), ("short_total", 16), ("short_category", 20),
                        ("none", 6), ("sparse", 8)])
LICENSE_FATE = weighted([("current", 85.5), ("lapsed", 9), ("inactive", 3), ("suspended", 1.5),
                         ("revoked", 1)])


class Provider:
    pass


def generate_provider(seed, index, as_of):
    """Returns (tables dict, intent dict) for provider number `index` (1-based)."""
    d = Draw("credrules/%d/%d" % (seed, index))
    # Scenario choices (CME profile, first licence's fate) use a Kronecker low-discrepancy sequence
    # instead of independent draws, so even a 40-provider sample shows every status in proportion.
    offset = Draw("credrules/%d/offset" % seed)
    u_profile = (index * 0.6180339887498949 + offset.r()) % 1.0
    u_fate = (index * 0.41421356237309515 + offset.r()) % 1.0
    pid = "prov-%06d" % index
    tag = "%06d" % index
    doc_seq = [0]

    def doc_id(p=0.8):
        if not d.chance(p):
            return None
        doc_seq[0] += 1
        return "doc-%s%02d" % (tag, doc_seq[0])

    ltype = "DO" if d.chance(0.26) else "MD"
    first = d.pick(FIRST_NAMES)
    last = d.pick(LAST_NAMES)
    # Age 29..76 at as-of; first licence after age ~27.
    dob = d.date_between(dt.date(as_of.year - 76, 1, 1), dt.date(as_of.year - 29, 12, 31))
    if d.chance(0.002):
        dob = dt.date(d.pick((1960, 1964, 1968, 1972, 1976, 1980, 1984, 1988, 1992)), 2, 29)
    # Career start: first licence between age 27 and 34, not before 1990, not after as-of.
    start = add_months(dob, 12 * 27 + d.int(0, 84))
    start = max(start, dt.date(1990, 1, 1))
    first_cycle = d.chance(0.12)
    if first_cycle or start > as_of:
        start = d.date_between(as_of - dt.timedelta(days=700), as_of - dt.timedelta(days=5))
        dob = min(dob, dt.date(start.year - 27, dob.month, min(dob.day, 28)))

    p = {}
    p["specialty"] = d.wpick(SPECIALTY_WEIGHTS)
    p["in_residency"] = (as_of - start).days < 3 * 365 and d.chance(0.4)
    p["prescribes"] = d.chance(0.8) if p["specialty"] not in ("radiology", "pathology") else d.chance(0.1)
    if p["specialty"] in ("addiction_medicine", "addiction_psychiatry"):
        p["prescribes"] = True
    p["pain_clinic"] = d.chance(0.04) and p["specialty"] in ("anesthesiology", "family_medicine", "internal_medicine")
    p["direct_patient_care"] = p["specialty"] not in ("radiology", "pathology") and d.chance(0.9)
    p["treats_children"] = p["specialty"] in ("family_medicine", "emergency_medicine") and d.chance(0.8)
    share = None
    if p["specialty"] in ("internal_medicine", "family_medicine"):
        share = round(d.uniform(0.05, 0.6), 2)
    elif d.chance(0.5):
        share = round(d.uniform(0.0, 0.3), 2)
    p["geriatric_share"] = share

    # --- licences
    n_lic = d.wpick(LICENSE_COUNT)
    states = []
    while len(states) < n_lic:
        s = d.wpick(RULES.state_weights)
        if not states and EVERY_JURISDICTION and index <= len(RULES.states):
            s = RULES.states[index - 1]   # the draw is still made: every other draw stays the same
        if s not in states:
            states.append(s)
    fl_group = d.int(0, 1)

    licenses, windows = [], []
    for k, state in enumerate(states, 1):
        if k == 1:
            issue = start
        else:
            hi = as_of - dt.timedelta(days=20)
            issue = d.date_between(min(start + dt.timedelta(days=90), hi), hi)
            issue = min(max(issue, start), as_of)
        first_exp, years, policy = first_expiration(state, ltype, issue, dob, last, fl_group)
        # index of the current expiration: first one >= as_of
        idx = 0
        while step_expiration(first_exp, idx, years, policy, dob) < as_of:
            idx += 1
        fate = d.wpick(LICENSE_FATE, u_fate if k == 1 else None)
        status = "active"
        exp_idx = idx
        if fate == "lapsed" and idx > 0:
            back = 1 if idx == 1 or d.chance(0.7) else d.int(2, min(idx, 5))
            exp_idx = idx - back
            status = "expired" if d.chance(0.6) else "active"   # some boards' records lag
        elif fate in ("inactive", "suspended", "revoked"):
            status = fate
            if idx > 0 and d.chance(0.4):
                exp_idx = idx - 1
        expiration = step_expiration(first_exp, exp_idx, years, policy, dob)
        lic_id = "lic-%s-%d" % (tag, k)
        licenses.append({
            "id": lic_id, "provider_id": pid, "state": state,
            "license_number": license_number(d, state, ltype), "license_type": ltype, "status": status,
            "issue_date": iso(issue), "expiration_date": iso(expiration), "extracted_from_doc_id": doc_id(),
        })
        wmonths = cme_window_months(state, ltype)
        wstart = add_months(expiration, -wmonths, policy == "eom") + dt.timedelta(days=1)
        windows.append((state, issue, wstart, expiration))

    # --- DEA registrations (per state of practice), CSR certificates
    # most prescribers hold a DEA registration (the rest exercise registration_missing); a few
    # non-prescribers keep one anyway
    has_dea = d.chance(0.93) if p["prescribes"] else d.chance(0.05)
    p["has_dea"] = has_dea
    dea_rows, csr_rows = [], []
    if has_dea:
        dea_states = [s for i, s in enumerate(states) if i == 0 or d.chance(0.6)]
        for k, s in enumerate(dea_states, 1):
            if d.chance(0.13):
                exp = d.date_between(as_of - dt.timedelta(days=540), as_of - dt.timedelta(days=1))
            else:
                exp = d.date_between(as_of + dt.timedelta(days=1), add_months(as_of, 36))
            dea_rows.append({
                "id": "dea-%s-%d" % (tag, k), "provider_id": pid, "registration_number": dea_number(d, last),
                "state": s, "schedules": list(SCHEDULES_FULL if d.chance(0.85) else SCHEDULES_NO2),
                "expiration_date": iso(exp), "extracted_from_doc_id": doc_id(),
            })
    p["dea_states"] = {r["state"] for r in dea_rows}
    p["csr_states"] = set()
    csr_windows = []   # (state, window start, expiration, model) of each CSR, for its CE
    k = 0
    for (state, issue, wstart, lic_exp) in windows:
        model = RULES.csr.get(state)
        if model is None or state not in p["dea_states"]:
            continue
        if d.chance(0.08):
            continue  # CSR missing though a DEA registration in the state exists
        k += 1
        if state == "IL":
            # same fixed July 31 triennial date as the IL licence; some not renewed
            exp = first_on_or_after(lambda y: [eom(y, 7)] if y % 3 == 2026 % 3 else [], as_of.year - 3, as_of)
            if d.chance(0.12):
                exp = eom(exp.year - 3, 7)
            number = "336.%06d" % d.int(10000, 199999)
        elif state == "MA":
            exp = lic_exp if d.chance(0.85) else d.date_between(as_of - dt.timedelta(days=400), as_of - dt.timedelta(days=1))
            number = "MA%07d" % d.int(100000, 9999999)
        else:
            # the pack's cycle: current for most, lapsed within the last cycle for 12%
            if d.chance(0.12):
                exp = d.date_between(add_months(as_of, -model.months), as_of - dt.timedelta(days=1))
            else:
                exp = d.date_between(as_of + dt.timedelta(days=1), add_months(as_of, model.months))
            number = "%s-CS%07d" % (state, d.int(100000, 9999999))
        p["csr_states"].add(state)
        csr_windows.append((state, add_months(exp, -model.window) + dt.timedelta(days=1), exp, model))
        csr_rows.append({
            "id": "csr-%s-%d" % (tag, k), "provider_id": pid, "state": state, "csr_number": number,
            "expiration_date": iso(exp), "extracted_from_doc_id": doc_id(),
        })

    # --- board certifications
    bc_rows = []
    certs = []
    if not p["in_residency"] and d.chance(0.8):
        certs.append(p["specialty"])
    if p["specialty"] == "addiction_psychiatry" and "psychiatry" not in certs and d.chance(0.8):
        certs.insert(0, "psychiatry")
    if p["specialty"] == "addiction_medicine" and d.chance(0.7):
        certs.insert(0, d.pick(("internal_medicine", "family_medicine")))
    boards = BOARDS_DO if ltype == "DO" and d.chance(0.6) else BOARDS_MD
    for k, spec in enumerate(certs, 1):
        if d.chance(0.07):
            exp = d.date_between(as_of - dt.timedelta(days=1500), as_of - dt.timedelta(days=1))
        else:
            exp = d.date_between(as_of + dt.timedelta(days=1), add_months(as_of, 120))
        bc_rows.append({
            "id": "bc-%s-%d" % (tag, k), "provider_id": pid, "specialty": spec, "board_name": boards[spec],
            "expiration_date": iso(exp), "extracted_from_doc_id": doc_id(0.7),
        })
    addiction_cert = any(s in ("addiction_medicine", "addiction_psychiatry") for s in certs)

    # --- provider attributes that requirement conditions read (written below)
    attributes = {
        "direct_patient_care": p["direct_patient_care"], "pain_clinic": p["pain_clinic"],
        "in_residency": p["in_residency"], "prescribes_controlled_substances": p["prescribes"],
        "treats_children": p["treats_children"], "treats_adults_26_plus": p["specialty"] != "pathology",
        "practice_specialty": p["specialty"],
    }
    # attributes other packs of the provider's states declare, without a default: drawn from a
    # separate stream, so adding one to a pack leaves every other draw unchanged
    declared = {}
    for s in states:
        for key, typ, default in RULES.attributes.get(s, ()):
            if default is None and key not in attributes and typ in ("bool", "string"):
                declared[key] = typ
    if declared:
        extra = Draw("credrules/%d/%d/attributes" % (seed, index))
        for key in sorted(declared):
            attributes[key] = extra.chance(0.5) if declared[key] == "bool" else p["specialty"]
    p["attributes"] = attributes

    # --- CME events
    profile = d.wpick(CME_PROFILE, u_profile)
    formal_type = "ama_pra_1" if ltype == "MD" else "aoa_1a"
    events = []  # [date, category, credits(float), credit_type]

    def ctype():
        x = d.r()
        if ltype == "MD":
            return "ama_pra_1" if x < 0.82 else ("other" if x < 0.96 else "aoa_1a")
        return "aoa_1a" if x < 0.6 else ("aoa_1b" if x < 0.75 else ("ama_pra_1" if x < 0.95 else "other"))

    def add(date, cat, hours, typ=None):
        events.append([date, cat, hours, typ or ctype()])

    def hours_in(a, b, cat=None):
        return sum(e[2] for e in events if a <= e[0] <= b and (cat is None or e[1] == cat))

    def fill(a, b, need, typ):
        # conference-sized chunks of general-ish CME
        while need > 0:
            h = min(need, d.pick((1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 20, 25, 30)))
            if need - h < 0.5:
                h = need
            add(d.date_between(a, b), d.wpick(FILLER_CATEGORIES), round(h * 4) / 4, typ)
            need -= round(h * 4) / 4

    def typed(ctypes):
        if ctypes:
            return formal_type if formal_type in ctypes else ctypes[0]
        return formal_type if d.chance(0.8) else None

    def place(cat, hrs, scope, issue, a, b, wend, lookback=None, ctypes=None, within=None):
        if scope == "once":
            have = sum(e[2] for e in events if e[1] == cat)
            if have < hrs:
                lo = max((issue or a) - dt.timedelta(days=365), dt.date(1990, 1, 1))
                hi = min(as_of, (issue or a) + dt.timedelta(days=4 * 365))
                if within and issue:
                    hi = max(lo, min(hi, add_months(issue, within)))
                add(d.date_between(lo, hi), cat, hrs - have, typed(ctypes))
        else:
            if lookback:
                a = max(a, add_months(wend, -lookback) + dt.timedelta(days=1))
            have = hours_in(a, b, cat)
            if have < hrs:
                add(d.date_between(a, b), cat, hrs - have, typed(ctypes))

    intent = {"cme": profile}
    if profile != "none":
        factor = 1.0
        if profile == "short_total":
            factor = d.uniform(0.3, 0.85)
        elif profile == "sparse":
            factor = d.uniform(0.0, 0.35)
        for (state, issue, wstart, wend) in windows:
            a = max(wstart, issue)
            b = min(wend, as_of)
            total, formal, reqs = requirements_for(state, ltype, p)
            for cat, hrs, scope, lookback, ctypes, within in reqs:
                if profile == "sparse" and d.chance(0.6):
                    continue
                place(cat, hrs, scope, issue, a, b, wend, lookback, ctypes, within)
            if profile == "on_track":
                span = max(1, (wend - max(wstart, issue)).days)
                factor = min(1.0, max(0.05, (as_of - max(wstart, issue)).days / span) * d.uniform(0.8, 1.3))
            target = round(total * factor * (d.uniform(1.0, 1.25) if profile == "complete" or profile == "short_category" else 1.0))
            have = hours_in(a, b)
            if have < target:
                typ = formal_type if profile in ("complete", "short_category") else None
                fill(a, b, target - have, typ)
        if profile == "short_category":
            mandated = []
            for (state, issue, wstart, wend) in windows:
                for cat, hrs, scope, _, _, _ in requirements_for(state, ltype, p)[2]:
                    mandated.append((state, cat, hrs))
            if mandated:
                state, cat, hrs = d.pick(mandated)
                removed = sum(e[2] for e in events if e[1] == cat)
                keep = 0.0
                if hrs >= 2 and d.chance(0.45):
                    keep = hrs / 2 if hrs < 12 else hrs - 4
                events = [e for e in events if e[1] != cat]
                if keep:
                    b = min(as_of, max(w[3] for w in windows))
                    a = min(w[2] for w in windows)
                    add(d.date_between(max(a, start), b), cat, keep, formal_type)
                # keep the total whole: replace the removed hours with general CME
                if removed - keep > 0:
                    w = windows[0]
                    add(d.date_between(max(w[2], w[1]), min(w[3], as_of)), "general", removed - keep, formal_type)
                intent["short"] = {"state": state, "category": cat, "required": hrs, "left": keep}
            else:
                intent["cme"] = "complete"
        # state CSRs' own CE, inside each registration's window
        for (state, wstart, exp, model) in csr_windows:
            for cat, hrs, scope, cond, lookback, ctypes, within in model.reqs:
                if applies(cond, p, state) and not (profile == "sparse" and d.chance(0.6)):
                    place(cat, hrs, scope, None, wstart, min(exp, as_of), exp, lookback, ctypes, within)
        # the DEA pack's one-time training (MATE Act: 8 h SUD / opioid) for DEA registrants
        if has_dea and not addiction_cert and RULES.mate:
            need, cats = RULES.mate
            mate = sum(e[2] for e in events if e[1] in cats)
            x = d.r()
            if x < 0.62 and mate < need:
                add(d.date_between(dt.date(2021, 1, 1), as_of), cats[0], need - mate, formal_type)
                intent["mate"] = "complete"
            elif x < 0.8 and mate < need / 2:
                add(d.date_between(dt.date(2023, 6, 27), as_of), cats[0], need / 2 - mate, formal_type)
                intent["mate"] = "partial"
            else:
                intent["mate"] = "complete" if mate >= need else "missing"
        # a little older history outside the windows
        for _ in range(d.int(0, 3)):
            lo = max(start, as_of - dt.timedelta(days=10 * 365))
            add(d.date_between(lo, as_of), d.wpick(FILLER_CATEGORIES), d.pick((1, 2, 3, 5, 10, 0.5, 1.25)))
    elif has_dea and not addiction_cert and RULES.mate:
        intent["mate"] = "missing"

    events.sort(key=lambda e: (e[0], e[1]))
    cme_rows = []
    for k, (date, cat, hours, typ) in enumerate(events, 1):
        exp = None
        if cat == "infection_control" and d.chance(0.5):
            exp = add_months(date, 48)
        cme_rows.append({
            "id": "cme-%s-%d" % (tag, k), "provider_id": pid, "title": d.pick(TITLES.get(cat) or (cat.replace("_", " ").capitalize() + " CME",)), "category": cat,
            "credit_type": typ, "credits_earned": credit_value(hours), "completion_date": iso(date),
            "expiration_date": iso(exp), "extracted_from_doc_id": doc_id(0.7),
        })

    # --- providers, states, attributes
    prov = {
        "id": pid, "org_id": "org-%04d" % (1 + int(400 * d.r() ** 2)), "first_name": first, "last_name": last,
        "date_of_birth": iso(dob), "npi": fake_npi(d), "is_synthetic": True,
    }
    state_rows = [{"id": "pst-%s-%d" % (tag, k), "provider_id": pid, "state": s} for k, s in enumerate(states, 1)]
    attrs = []

    def attr(key, value):
        attrs.append({"provider_id": pid, "key": key, "value": value})

    if "TX" in states and d.chance(0.97):   # a few TX physicians never stated it: missing_data
        attr("direct_patient_care", p["direct_patient_care"])
    elif d.chance(0.3):
        attr("direct_patient_care", p["direct_patient_care"])
    if share is not None and ("CA" in states or d.chance(0.2)):
        attr("geriatric_patient_share", "%g" % share)
    if d.chance(0.9) or p["pain_clinic"]:
        attr("pain_clinic", p["pain_clinic"])
    if d.chance(0.9) or p["in_residency"]:
        attr("in_residency", p["in_residency"])
    if d.chance(0.97):
        attr("prescribes_controlled_substances", p["prescribes"])
    declared_keys = {key for s in states for key, _, _ in RULES.attributes.get(s, ())}
    if "treats_adults_26_plus" in declared_keys or "treats_children" in declared_keys:
        attr("treats_adults_26_plus", p["specialty"] != "pathology" or d.chance(0.5))
        if d.chance(0.9):
            attr("treats_children", p["treats_children"])
    if declared:
        if "practice_specialty" in declared:
            attr("practice_specialty", p["specialty"])
        for key in sorted(declared):
            if key != "practice_specialty" and extra.chance(0.97):   # a few unstated: missing_data
                attr(key, attributes[key])

    intent["licenses"] = [r["status"] + ":" + r["expiration_date"] for r in licenses]
    intent["dea"] = len(dea_rows)
    tables = {
        "board_certifications": bc_rows,
        "cme_events": cme_rows,
        "csr_certificates": csr_rows,
        "dea_registrations": dea_rows,
        "licenses": licenses,
        "provider_attributes": attrs,
        "provider_states": state_rows,
        "providers": [prov],
    }
    return tables, intent


# --------------------------------------------------------------------------------------------
# Deliberately invalid rows (--invalid-rate), drawn from a separate random stream

DEFECTS = ("bad_date", "negative_credits", "missing_column", "orphan_row", "bad_enum")


def inject_defect(seed, index, tables, rate):
    d = Draw("credrules/%d/%d/invalid" % (seed, index))
    if not d.chance(rate):
        return None
    kind = d.pick(DEFECTS)
    pid = "prov-%06d" % index
    if kind == "negative_credits" and not tables["cme_events"]:
        kind = "bad_date"
    if kind == "bad_date":
        table = d.pick(("licenses", "cme_events", "dea_registrations")) 
        rows = tables[table] or tables["licenses"]
        table = table if tables[table] else "licenses"
        row = d.pick(rows)
        col = "completion_date" if table == "cme_events" else "expiration_date"
        row[col] = d.pick(("2026-02-30", "2025-13-01", "12/31/2026", "2026-1-5", "not a date"))
        return {"kind": kind, "table": table, "row": row["id"], "column": col}
    if kind == "negative_credits":
        row = d.pick(tables["cme_events"])
        row["credits_earned"] = d.pick((-2, "-1.5", -10))
        return {"kind": kind, "table": "cme_events", "row": row["id"], "column": "credits_earned"}
    if kind == "missing_column":
        table = d.pick(("licenses", "cme_events")) if tables["cme_events"] else "licenses"
        row = d.pick(tables[table])
        col = d.pick(("state", "expiration_date", "provider_id")) if table == "licenses" \
            else d.pick(("category", "credits_earned", "completion_date"))
        del row[col]
        return {"kind": kind, "table": table, "row": row["id"], "column": col}
    if kind == "bad_enum":
        row = d.pick(tables["licenses"])
        col = d.pick(("status", "license_type"))
        row[col] = {"status": d.pick(("activ", "ACTIVE", "lapsed")), "license_type": d.pick(("M.D.", "RN?", ""))}[col]
        return {"kind": kind, "table": "licenses", "row": row["id"], "column": col}
    # orphan_row: a CME row whose provider_id names no provider
    ghost = "prov-%06d-x" % index
    row = {"id": "cme-%06d-orphan" % index, "provider_id": ghost, "title": "Orphaned CME certificate",
           "category": "general", "credit_type": "other", "credits_earned": 1,
           "completion_date": "2026-01-15", "expiration_date": None, "extracted_from_doc_id": None}
    tables["cme_events"].append(row)
    return {"kind": kind, "table": "cme_events", "row": row["id"], "provider_id": ghost}


# --------------------------------------------------------------------------------------------
# Output


def _provider(seed, i, as_of, invalid_rate):
    tables, intent = generate_provider(seed, i, as_of)
    if invalid_rate > 0:
        defect = inject_defect(seed, i, tables, invalid_rate)
        if defect:
            intent["invalid"] = defect
    intent["provider_id"] = "prov-%06d" % i
    return tables, intent


_COMPACT = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def _jsonl_chunk(job):
    """Worker: serialises providers lo..hi-1 to (jsonl text, manifest text)."""
    seed, lo, hi, as_of_text, invalid_rate, want_manifest = job
    as_of = dt.date.fromisoformat(as_of_text)
    lines, intents = [], []
    for i in range(lo, hi):
        tables, intent = _provider(seed, i, as_of, invalid_rate)
        lines.append(_COMPACT(tables))
        if want_manifest:
            intents.append(_COMPACT(intent))
    return ("\n".join(lines) + "\n" if lines else ""), ("\n".join(intents) + "\n" if intents else "")


def write_jsonl(args, as_of, out, manifest):
    """Streams one line per provider.  With --jobs > 1, chunks are generated in worker processes
    and written in order, so the bytes do not depend on the number of jobs."""
    chunk = 500
    jobs = [(args.seed, lo, min(lo + chunk, args.providers + 1), as_of.isoformat(), args.invalid_rate,
             manifest is not None) for lo in range(1, args.providers + 1, chunk)]
    if args.jobs > 1 and len(jobs) > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            for text, mtext in pool.imap(_jsonl_chunk, jobs, chunksize=1):
                out.write(text)
                if manifest:
                    manifest.write(mtext)
    else:
        for job in jobs:
            text, mtext = _jsonl_chunk(job)
            out.write(text)
            if manifest:
                manifest.write(mtext)


def write_json(args, as_of, out, manifest):
    """One JSON object.  Rows are serialised as they are generated into one spool file per table
    (bounded memory), then concatenated; the bytes equal json.dumps(whole, sort_keys=True, indent)."""
    indent = args.indent
    compact = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
    if indent:
        row_enc = json.JSONEncoder(sort_keys=True, indent=indent, ensure_ascii=False).encode
        pad = " " * (2 * indent)
        sep = ",\n"
    else:
        row_enc = compact
        pad = ""
        sep = ","
    spools = {t: tempfile.SpooledTemporaryFile(max_size=32 << 20, mode="w+", encoding="utf-8") for t in TABLES}
    counts = {t: 0 for t in TABLES}
    for i in range(1, args.providers + 1):
        tables, intent = _provider(args.seed, i, as_of, args.invalid_rate)
        if manifest:
            manifest.write(compact(intent) + "\n")
        for t in TABLES:
            f = spools[t]
            for row in tables[t]:
                text = row_enc(row)
                if indent:
                    text = pad + text.replace("\n", "\n" + pad)
                if counts[t]:
                    f.write(sep)
                f.write(text)
                counts[t] += 1
    if indent:
        p1 = " " * indent
        out.write("{\n")
        for n, t in enumerate(TABLES):
            out.write('%s"%s": ' % (p1, t))
            if counts[t]:
                out.write("[\n")
                _copy(spools[t], out)
                out.write("\n%s]" % p1)
            else:
                out.write("[]")
            out.write(",\n" if n < len(TABLES) - 1 else "\n")
        out.write("}\n")
    else:
        out.write("{")
        for n, t in enumerate(TABLES):
            out.write('"%s":[' % t)
            _copy(spools[t], out)
            out.write("]" + ("," if n < len(TABLES) - 1 else ""))
        out.write("}\n")
    for f in spools.values():
        f.close()


def _copy(src, dst):
    src.seek(0)
    while True:
        chunk = src.read(1 << 20)
        if not chunk:
            break
        dst.write(chunk)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate a synthetic credrules provider population (facts on file).")
    ap.add_argument("--providers", type=int, required=True, help="number of providers")
    ap.add_argument("--seed", type=int, required=True, help="random seed (same arguments give identical bytes)")
    ap.add_argument("--as-of", default="2026-11-26", help="reference date YYYY-MM-DD (default 2026-11-26)")
    ap.add_argument("--jsonl", action="store_true", help="JSON Lines: one provider's object per line")
    ap.add_argument("--invalid-rate", type=float, default=0.0,
                    help="share of providers (0..1) given one deliberately invalid row (default 0)")
    ap.add_argument("--indent", type=int, default=None,
                    help="indentation for the single-object JSON (default 1; 0 = compact); ignored with --jsonl")
    ap.add_argument("--manifest", help="also write the intended scenario per provider (JSON Lines) to this file")
    ap.add_argument("--jobs", type=int, default=None,
                    help="worker processes for --jsonl (default: min(4, CPUs)); output does not depend on it")
    ap.add_argument("--rules", required=True,
                    help="compiled rule versions (`credrules compile RulePacks --out DIR`): what to draw")
    ap.add_argument("--every-jurisdiction", action="store_true",
                    help="the first licences of providers 1..51 go to each jurisdiction in turn (a small sample covers all)")
    ap.add_argument("--out", help="output file (default stdout)")
    args = ap.parse_args(argv)
    if args.providers < 0:
        ap.error("--providers must be >= 0")
    if not 0.0 <= args.invalid_rate <= 1.0:
        ap.error("--invalid-rate must be between 0 and 1")
    try:
        as_of = dt.date.fromisoformat(args.as_of)
    except ValueError:
        ap.error("--as-of must be YYYY-MM-DD")
    if args.indent is None:
        args.indent = 1
    global RULES, EVERY_JURISDICTION
    RULES = Rules(args.rules, as_of)
    EVERY_JURISDICTION = args.every_jurisdiction
    if args.jobs is None:
        import os
        args.jobs = max(1, min(4, os.cpu_count() or 1))
    out = open(args.out, "w", encoding="utf-8", newline="\n") if args.out else sys.stdout
    manifest = open(args.manifest, "w", encoding="utf-8", newline="\n") if args.manifest else None
    try:
        (write_jsonl if args.jsonl else write_json)(args, as_of, out, manifest)
    finally:
        if args.out:
            out.close()
        if manifest:
            manifest.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
