#!/usr/bin/env python3
"""Generates Grammar/pack.schema.json (JSON Schema draft 2020-12 for rule packs).

The schema mirrors Grammar/pack-language.md; every property carries a description so that YAML editors
(e.g. the Red Hat YAML extension with `# yaml-language-server: $schema=...`) complete and document packs.
Run: python3 Tools/gen_pack_schema.py > Grammar/pack.schema.json
"""
import json

CATEGORIES = {
    "general": "General medical CME not tied to a mandated topic.",
    "ethics": "Medical ethics and professional responsibility.",
    "pain_management": "Pain management (including palliative pain care).",
    "end_of_life_care": "Care of terminally ill and dying patients, palliative and end-of-life care.",
    "opioid_prescribing": "Prescribing opioids and other controlled substances, safe prescribing practices.",
    "substance_use_disorder": "Identification and treatment of opioid and other substance use disorders, addiction.",
    "medical_errors": "Prevention of medical errors (e.g. Florida's misdiagnosed-conditions course).",
    "patient_safety": "Patient safety.",
    "risk_management": "Risk management.",
    "domestic_violence": "Domestic violence (and sexual violence) recognition and response.",
    "child_abuse": "Recognition and reporting of child abuse and neglect, mandated-reporter training.",
    "human_trafficking": "Identification and assistance of victims of human trafficking.",
    "hiv_aids": "HIV/AIDS.",
    "implicit_bias": "Implicit bias in health care.",
    "cultural_competency": "Cultural and linguistic competency.",
    "sexual_harassment_prevention": "Sexual harassment prevention.",
    "dementia": "Alzheimer's disease and related dementias.",
    "infection_control": "Infection control and barrier precautions (including sepsis).",
    "geriatrics": "Geriatric medicine.",
    "suicide_prevention": "Suicide assessment, treatment and management.",
    "health_equity": "Health equity (including implicit bias), e.g. Washington's model rules.",
    "professional_boundaries": "Professional boundaries and physician sexual misconduct.",
    "laws_and_rules": "The state's medical practice act, board laws and regulations.",
    "electronic_health_records": "Proficiency in electronic health records.",
    "dependent_adult_abuse": "Identification and reporting of abuse of dependent adults (e.g. Iowa's mandatory-reporter training).",
    "prescription_drug_monitoring": "Use of the state prescription drug monitoring program (PDMP).",
    "nutrition": "Nutrition and metabolic health.",
    "behavioral_health": "Behavioral and mental health (including veterans' mental-health conditions).",
    "lgbtq_health": "Cultural competence and clinical care for LGBTQ patients.",
    "sexual_assault": "Recognition and care of victims of sexual assault.",
}
CREDIT_TYPES = ["ama_pra_1", "aoa_1a", "aoa_1b", "other"]
SPECIALTIES = ["addiction_medicine", "addiction_psychiatry", "radiology", "pathology", "internal_medicine",
               "family_medicine", "psychiatry", "emergency_medicine", "anesthesiology", "pain_medicine",
               "hospice_and_palliative_medicine", "pediatrics", "urgent_care"]
LICENSE_TYPES = ["MD", "DO", "PA", "NP", "RN"]
STATES = ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
          "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
          "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
          "PR", "GU", "VI", "AS", "MP"]
STATUSES = ["compliant", "in_progress", "at_risk", "non_compliant", "unknown"]
GAP_TYPES = ["credential_expired", "credential_expiring", "credential_inactive", "cme_hours_short",
             "cme_category_short", "training_missing", "registration_missing", "registration_expired",
             "certification_expired", "missing_data", "no_rule_pack", "custom", "credential_in_grace", "expiration_mismatch",
             "credential_deactivated"]
KINDS = {
    "credential_current": "The evaluated credential is active and unexpired on the as-of date (gaps credential_expired, credential_inactive, credential_expiring; credential_in_grace with `grace`).",
    "cme_hours": "CME hours earned in the window reach `hours` (gap cme_hours_short, or cme_category_short with `categories`).",
    "one_time_training": "A training done once: matching hours completed on or before `deadline` (gap training_missing).",
    "registration_current": "Another registration (DEA or state CSR) is held and current (gaps registration_missing, registration_expired).",
    "certification_current": "A board certification (optionally in `specialties`) is held and current (gaps certification_expired, registration_missing).",
    "custom": "A boolean `check` expression; unmet produces a `custom` gap named by `code`.",
}
DATE = {"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        "description": "An ISO date YYYY-MM-DD."}
CONF = {"enum": ["V", "V2", "P", "R", "C"],
        "description": "Confidence mark from the regulations file: V verified in a primary source, V2 verified on a secondary page, P partially verified, R recalled/not found, C sources conflict."}

def d(desc, **kw):
    kw["description"] = desc
    return kw

EXPR = d("A CEL expression (Grammar/reference/expressions.md) over the declared variables: as_of, credential.*, cycle.*, provider.*, params.*, and the fact lists.", type="string", minLength=1)
BOOL_EXPR = d("A boolean CEL expression (Grammar/reference/expressions.md); write it as a plain or block (|) scalar.", type="string", minLength=1)
HOURS = d("Hours needed: a number, or an int/decimal CEL expression such as `params.total_hours` or `cycle.months_licensed < 13 ? 25 : 50`.",
          oneOf=[{"type": "number", "minimum": 0, "description": "A constant number of hours."},
                 {"type": "string", "minLength": 1, "description": "An int or decimal expression; or `any`: the rule names no hours, any matching record completes it."}])
REQ_ID = d("A requirement id (lower-kebab-case).", type="string", pattern="^[a-z0-9]+(-[a-z0-9]+)*$")

def deadline_schema():
    simple = [
        d("The end of the cycle whose renewal number is N.", type="object", additionalProperties=False, required=["renewal"],
          properties={"renewal": d("Renewal number N (1 = the first expiration after licensure).", type="integer", minimum=1)}),
        d("N months after the credential's issue_date.", type="object", additionalProperties=False, required=["months_after_issue"],
          properties={"months_after_issue": d("Months after issue_date (0 = at licensure).", type="integer", minimum=0)}),
        d("N years after the credential's issue_date.", type="object", additionalProperties=False, required=["years_after_issue"],
          properties={"years_after_issue": d("Years after issue_date.", type="integer", minimum=0)}),
        d("A fixed calendar date.", type="object", additionalProperties=False, required=["date"],
          properties={"date": DATE}),
        d("The first cycle end on or after a date (e.g. a law's effective date).", type="object", additionalProperties=False,
          required=["first_renewal_after"], properties={"first_renewal_after": DATE}),
        d("The earliest of several deadlines (e.g. 2nd renewal or 4 years after issue, whichever first).", type="object",
          additionalProperties=False, required=["earliest_of"],
          properties={"earliest_of": d("Deadlines to take the earliest of.", type="array", minItems=2, items={"$ref": "#/$defs/deadline"})}),
        d("The latest of several deadlines.", type="object", additionalProperties=False, required=["latest_of"],
          properties={"latest_of": d("Deadlines to take the latest of.", type="array", minItems=2, items={"$ref": "#/$defs/deadline"})}),
    ]
    return d("When a one-time training is due; absent means the end of the current cycle.", oneOf=simple)

def cadence_schema():
    return d("Which renewals the requirement applies to (renewal number per pack-language §3.7); absent = every renewal.",
             oneOf=[
                 d("Renewals N, 2N, 3N, ...", type="object", additionalProperties=False, required=["every"],
                   properties={"every": d("N: due every Nth renewal.", type="integer", minimum=1)}),
                 d("Listed renewals, optionally then every Nth after the last listed.", type="object", additionalProperties=False,
                   required=["renewals"],
                   properties={"renewals": d("Renewal numbers (1-based).", type="array", minItems=1, uniqueItems=True,
                                             items={"type": "integer", "minimum": 1, "description": "A renewal number."}),
                               "then_every": d("After the last listed renewal, every Nth renewal (last + N, last + 2N, ...).", type="integer", minimum=1)}),
                 d("Every renewal from the Nth on.", type="object", additionalProperties=False, required=["from_renewal"],
                   properties={"from_renewal": d("First renewal number it applies to.", type="integer", minimum=1)}),
             ])

def grace_schema():
    props = {
        "days": d("Length in calendar days after the expiration date (the last day of grace is expiration + N days).", type="integer", minimum=1),
        "months": d("Length in calendar months after the expiration date (the last day of grace is expiration + N months).", type="integer", minimum=1),
        "practice": d("Whether the holder may practise during the period: allowed (status at_risk, gap credential_in_grace) or not_allowed (status non_compliant, gap credential_in_grace, critical).",
                      enum=["allowed", "not_allowed"]),
        "cme": d("CME and trainings due at the renewal: due_at_expiration (default; a shortfall is overdue during grace) or due_at_grace_end (a cure period: hours completed up to the grace end count, and a shortfall is due then).",
                 enum=["due_at_expiration", "due_at_grace_end"]),
        "cite": d("Citation id of the grace rule (default: the requirement's cite).", type="string"),
        "until_end_of_month_after": d("Length to the last day of the Nth calendar month after the expiration date's month (TN: 1, to the end of the following month).", type="integer", minimum=1),
    }
    lengths = ["days", "months", "until_end_of_month_after"]
    only = lambda key: {"not": {"anyOf": [{"required": [k]} for k in lengths if k != key]}}
    return d("credential_current: the board's grace, cure or late-renewal period after the expiration date (pack-language §3.8).",
             type="object", additionalProperties=False, required=["practice"], properties=props,
             oneOf=[d("Length in days.", required=["days"], **only("days")),
                    d("Length in months.", required=["months"], **only("months")),
                    d("Length to the end of a later month.", required=["until_end_of_month_after"], **only("until_end_of_month_after"))])

def expiry_schema():
    props = {
        "day": d("The day licenses expire on: a month and day MM-DD (not 02-29), end_of_birth_month, birthday (Feb 29 -> Feb 28 in "
                 "common years) or birth_month (any day of the birth month); the last three need providers.date_of_birth.",
                type="string", pattern="^((0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])|end_of_birth_month|birthday|birth_month)$"),
        "years": d("Which years: any (default), even, odd, birth_year_parity (even-born in even years; needs providers.date_of_birth), "
                   "or a series {every: N, including: YYYY}. Excludes surnames.", oneOf=[
            d("A named set of years.", enum=["any", "even", "odd", "birth_year_parity"]),
            d("Every N-th year, YYYY among them (IL: {every: 3, including: 2026}).", type="object", additionalProperties=False,
              required=["every", "including"], properties={
                  "every": d("Years between expirations (at least 2; every year is `any`).", type="integer", minimum=2),
                  "including": d("One year licenses expire in.", type="integer", minimum=1)}),
        ]),
        "surnames": d("Years by the initial of providers.last_name: ranges A-Z once, in order, e.g. {A-L: even, M-Z: odd}. Excludes years.",
                      type="object", minProperties=1, propertyNames={"pattern": "^[A-Z]-[A-Z]$"},
                      additionalProperties={"enum": ["even", "odd"]}),
        "since": dict(DATE, description="Stored expiration dates before this day are not checked (an older rule governed them)."),
        "cite": d("Citation id of the expiry rule (default: the requirement's cite).", type="string"),
        "license_types": d("The license types the rule governs (default: every credential the pack evaluates); others are not checked.",
                           type="array", minItems=1, uniqueItems=True, items=d("A license type.", enum=LICENSE_TYPES)),
    }
    return d("credential_current: the date the board's rule gives the expiration (pack-language §3.12); a stored expiration_date that "
             "disagrees is reported as an expiration_mismatch gap, and the stored date is still used.",
             type="object", additionalProperties=False, required=["day"], properties=props,
             **{"not": {"required": ["years", "surnames"]}})

def window_schema():
    months = d("Length of the window in months.", type="integer", minimum=1)
    form = lambda desc, key, schema: d(desc, type="object", additionalProperties=False, required=["months", key],
                                       properties={"months": months, key: schema})
    return d("cme_hours only: a CME window decoupled from the renewal (pack-language §3.9); its last day is the requirement's deadline. "
             "Excludes lookback_months.", oneOf=[
        form("The window ends N days before the expiration date.", "ends_days_before_expiration",
             d("N: the window's last day is the expiration date minus N days.", type="integer", minimum=0)),
        form("The window ends on the latest MM-DD on or before the expiration date (calendar-year windows: 12-31).", "ends_on",
             d("Month and day, MM-DD (02-29 is not accepted).", type="string", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")),
        form("Fixed statewide cycles of `months` counted from a date; the window is the latest closed cycle, due at the first renewal after it closed.",
             "cycles_from", dict(DATE, description="The first day of the first cycle.")),
    ])

def cap_schema():
    return d("One cap: max_hours and at least one filter (categories, credit_types or credit_types_except; the last two exclude each other).",
             type="object", additionalProperties=False, required=["max_hours"],
             anyOf=[{"required": ["categories"]}, {"required": ["credit_types"]}, {"required": ["credit_types_except"]}],
             **{"not": {"required": ["credit_types", "credit_types_except"]}},
             properties={
        "max_hours": d("At most this many hours of the covered events count.", type="number", exclusiveMinimum=0),
        "categories": d("The cap covers events of these categories.", type="array", minItems=1, uniqueItems=True, items={"$ref": "#/$defs/category"}),
        "credit_types": d("The cap covers events of these credit types (an event without one never matches).", type="array", minItems=1,
                          uniqueItems=True, items={"$ref": "#/$defs/credit_type"}),
        "credit_types_except": d("The cap covers events of every other credit type, and events without one.", type="array", minItems=1,
                                 uniqueItems=True, items={"$ref": "#/$defs/credit_type"}),
    })

def requirement_schema():
    props = {
        "id": d("Unique in the pack, lower-kebab-case; named by exemptions and test expectations.", type="string", pattern="^[a-z0-9]+(-[a-z0-9]+)*$"),
        "kind": d("The requirement kind (fixed meaning, pack-language §3).", enum=list(KINDS)),
        "title": d("Optional human title (default derived from kind and categories).", type="string"),
        "cite": d("A citation id from `citations` (required): gaps trace to it.", type="string"),
        "severity": d("Gap severity; default critical for credential_current, high otherwise.", enum=["low", "medium", "high", "critical"]),
        "when": dict(BOOL_EXPR, description="Applicability condition (boolean CEL); when false the requirement is not_applicable. " + BOOL_EXPR["description"]),
        "cadence": cadence_schema(),
        "hours": HOURS,
        "categories": d("Accepted CME categories (cme_hours, one_time_training); absent = every category counts (total hours).",
                        type="array", minItems=1, uniqueItems=True, items={"$ref": "#/$defs/category"}),
        "credit_types": d("Accepted credit types, for 'formal' or 'Category 1' minimums; an event without a credit type never matches.",
                          type="array", minItems=1, uniqueItems=True, items={"$ref": "#/$defs/credit_type"}),
        "lookback_months": d("cme_hours only: the window becomes the N months ending on the cycle end instead of the CME window.", type="integer", minimum=1),
        "deadline": {"$ref": "#/$defs/deadline"},
        "carry_forward": d("cme_hours: hours of the previous window beyond the requirement count in this one, at most max_hours.", type="object",
                           additionalProperties=False, required=["max_hours"], properties={
            "max_hours": d("The most hours that carry.", type="number", exclusiveMinimum=0),
            "excluding_categories": d("Categories whose hours never carry (required topics).", type="array", uniqueItems=True, items={"$ref": "#/$defs/category"}),
        }),
        "counts_from": dict(DATE, description="one_time_training: the earliest completion date that counts; older records never do."),
        "registration": d("registration_current: which registration table must hold a current row.", enum=["dea_registration", "csr_certificate"]),
        "same_state": d("registration_current: the registration's state must equal the evaluated credential's state (default true).", type="boolean"),
        "specialties": d("certification_current: accepted board-certification specialties; absent = any.", type="array", minItems=1,
                         uniqueItems=True, items={"$ref": "#/$defs/specialty"}),
        "check": dict(BOOL_EXPR, description="custom: the requirement is met when this boolean expression is true."),
        "code": d("custom: lower_snake_case code naming the gap.", type="string", pattern="^[a-z][a-z0-9]*(_[a-z0-9]+)*$"),
        "message": d("custom: human description of the gap.", type="string"),
        "grace": grace_schema(),
        "expiry": expiry_schema(),
        "window": window_schema(),
        "categories_except": d("cme_hours only: categories that never count; every other category does (pack-language §3.10). Excludes categories.",
                               type="array", minItems=1, uniqueItems=True, items={"$ref": "#/$defs/category"}),
        "caps": d("cme_hours only: at most max_hours of the events a cap covers count toward the figure (pack-language §3.11); "
                  "an event falls under the first cap that covers it.", type="array", minItems=1, items=cap_schema()),
        "any_of": d("cme_hours: look-backs of which any one satisfies, in place of hours/categories/credit_types/lookback_months/window (pack-language §3.14).",
                    type="array", minItems=2, items=d("One option: a window and the figures it needs.", type="object", additionalProperties=False,
                        required=["id", "lookback_months", "all_of"], properties={
                            "id": d("Unique within the requirement.", type="string"),
                            "title": d("Names the option in reasons and gaps.", type="string"),
                            "lookback_months": d("The N months ending on the cycle end.", type="integer", minimum=1),
                            "all_of": d("Figures the option needs; all must be reached.", type="array", minItems=1, items=d("A figure.",
                                type="object", additionalProperties=False, required=["hours"], properties={
                                    "hours": d("Hours needed.", type="number", exclusiveMinimum=0),
                                    "categories": d("Accepted categories; absent = all.", type="array", minItems=1, uniqueItems=True, items={"$ref": "#/$defs/category"}),
                                    "credit_types": d("Accepted credit types; absent = all.", type="array", minItems=1, uniqueItems=True, items={"$ref": "#/$defs/credit_type"}),
                                })),
                        })),
        "consequence": d("What the board does to the credential when the requirement is unmet at its deadline, other than expiry (pack-language §3.13): after the deadline a credential_deactivated gap; on credential_current it replaces credential_expired once the expiration date (and grace) has passed.",
                         type="object", additionalProperties=False, required=["becomes"], properties={
            "becomes": d("The credential's state once the consequence takes effect.", enum=["inactive", "suspended", "revoked"]),
            "cite": d("Citation id of the consequence (default: the requirement's cite).", type="string"),
        }),
        "prorate": d("cme_hours: while licensed fewer than per_months whole months at the cycle end, the figure is hours x months licensed / "
                     "per_months (pack-language §3.15). Not with hours: any or any_of.", type="object", additionalProperties=False,
                     required=["per_months"], properties={
            "per_months": d("The months licensed the full figure is for.", type="integer", minimum=1),
            "round": d("none (default: nine decimal places), down or up (to whole hours).", enum=["none", "down", "up"]),
        }),
    }
    allowed = {
        "credential_current": ["grace", "expiry"],
        "cme_hours": ["hours", "categories", "credit_types", "lookback_months", "window", "categories_except", "carry_forward", "caps", "any_of",
                      "prorate"],
        "one_time_training": ["hours", "categories", "credit_types", "deadline", "counts_from"],
        "registration_current": ["registration", "same_state"],
        "certification_current": ["specialties"],
        "custom": ["check", "code", "message"],
    }
    required = {"one_time_training": ["hours"], "registration_current": ["registration"],
                "custom": ["check", "code", "message"]}
    common = ["id", "kind", "title", "cite", "severity", "when", "cadence", "consequence"]
    branches = []
    for kind, extra in allowed.items():
        then = {"required": required.get(kind, []), "propertyNames": {"enum": common + extra}}
        if kind == "cme_hours":
            then["oneOf"] = [{"required": ["hours"]}, {"required": ["any_of"]}]
        branches.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}, "then": then})
    return d("One requirement: a kind with fixed meaning plus its fields.", type="object", required=["id", "kind", "cite"],
             properties=props, additionalProperties=False, allOf=branches)

def facts_schema():
    row = lambda desc, props: d(desc, type="object", properties=props, additionalProperties=True)
    s = lambda desc: d(desc, type="string")
    credits = d("Credits: a number or a decimal string such as \"1.25\".", oneOf=[{"type": "number", "description": "Credits as a number."},
               {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$", "description": "Credits as a decimal string."}])
    return d("Facts in the facts-file format (BRIEF §2): table name -> rows; provider_id may be omitted (defaults to test-provider).",
             type="object", additionalProperties=False, properties={
        "providers": d("providers rows.", type="array", items={"type": "object", "description": "A providers row."}),
        "provider_states": d("provider_states rows.", type="array", items={"type": "object", "description": "A provider_states row."}),
        "licenses": d("licenses rows.", type="array", items=row("A license.", {
            "id": s("Row id."), "provider_id": s("Provider id."), "state": d("Two-letter state.", enum=STATES),
            "license_number": s("License number."), "license_type": d("Profession.", enum=LICENSE_TYPES),
            "status": d("License status.", enum=["active", "inactive", "expired", "suspended", "revoked"]),
            "issue_date": dict(DATE), "expiration_date": dict(DATE)})),
        "dea_registrations": d("dea_registrations rows.", type="array", items=row("A DEA registration.", {
            "id": s("Row id."), "provider_id": s("Provider id."), "state": d("State the registration is issued for.", enum=STATES),
            "registration_number": s("DEA number."), "schedules": d("Schedules.", type=["array", "string"]),
            "issue_date": dict(DATE), "expiration_date": dict(DATE)})),
        "csr_certificates": d("csr_certificates rows.", type="array", items=row("A state controlled-substance registration.", {
            "id": s("Row id."), "provider_id": s("Provider id."), "state": d("State.", enum=STATES), "csr_number": s("CSR number."),
            "issue_date": dict(DATE), "expiration_date": dict(DATE)})),
        "board_certifications": d("board_certifications rows.", type="array", items=row("A board certification.", {
            "id": s("Row id."), "provider_id": s("Provider id."), "specialty": {"$ref": "#/$defs/specialty"},
            "board_name": s("Certifying board."), "issue_date": dict(DATE), "expiration_date": dict(DATE)})),
        "cme_events": d("cme_events rows.", type="array", items=row("A CME event.", {
            "id": s("Row id."), "provider_id": s("Provider id."), "title": s("Course title."),
            "category": {"$ref": "#/$defs/category"}, "credit_type": {"$ref": "#/$defs/credit_type"},
            "credits_earned": credits, "completion_date": dict(DATE), "expiration_date": dict(DATE)})),
        "provider_attributes": d("provider_attributes rows (pack-language §7).", type="array", items=d("A provider attribute.",
            type="object", required=["key", "value"], properties={
                "provider_id": s("Provider id."),
                "key": d("Declared attribute key: a shared one (pack-language §7) or one the pack declares under `attributes:` (§7.1).", anyOf=[
                    {"pattern": "^[a-z][a-z0-9]*(_[a-z0-9]+)*$", "type": "string", "description": "An attribute the pack declares."},
                    {"description": "A shared attribute.", "enum": ["direct_patient_care", "geriatric_patient_share", "pain_clinic", "in_residency",
                         "practice_specialty", "prescribes_controlled_substances", "primary_care", "state_identified_prescriber",
                         "treats_adults_26_plus", "treats_children",
                         "opioid_prescribing_improvement_program", "prescribes_opioids", "primary_care_adults",
                         "primary_care_children", "provides_end_of_life_care"]}]),
                "value": d("Typed value (bool, decimal or string per the key's declaration).", type=["boolean", "number", "string"])},
            additionalProperties=False)),
    })

def test_schema():
    ids = d("Requirement ids; the list is exactly the requirements in that state.", type="array", uniqueItems=True, items=REQ_ID)
    return d("A test case run by the evaluator.", type="object", additionalProperties=False, required=["name", "as_of", "facts", "expect"],
             properties={
                 "name": d("Test name.", type="string", minLength=1),
                 "as_of": dict(DATE, description="The evaluation date (YYYY-MM-DD)."),
                 "facts": facts_schema(),
                 "expect": d("Expected outcome; absent fields are not checked.", type="object", additionalProperties=False, properties={
                     "status": d("Expected compliance_status of the single evaluated credential.", enum=STATUSES),
                     "met": dict(ids, description="Requirements expected met (exactly these)."),
                     "unmet": dict(ids, description="Requirements expected unmet (exactly these)."),
                     "exempt": dict(ids, description="Requirements expected exempt (exactly these)."),
                     "not_applicable": dict(ids, description="Requirements expected not_applicable (exactly these)."),
                     "unknown": dict(ids, description="Requirements expected unknown (exactly these)."),
                     "gaps": d("Expected gap types as a multiset.", type="array", items={"enum": GAP_TYPES, "description": "A gap type."}),
                     "met_by_alternative": dict(ids, description="Requirements expected met by an alternative, not by their own facts (exactly these)."),
                 }),
             })

schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://credrules.dev/schema/pack.schema.json",
    "title": "credrules rule pack",
    "description": "A rule pack: the renewal rules of one jurisdiction for one credential (Grammar/pack-language.md).",
    "type": "object",
    "additionalProperties": False,
    "required": ["pack", "version", "title", "authority", "credential", "applies_to", "effective", "citations", "cycle", "requirements"],
    "properties": {
        "pack": d("Identity JURISDICTION/NAME that never changes across versions, e.g. US-TX/physician-license, US/dea-registration.",
                  type="string", pattern="^[A-Z]{2}(-[A-Z]{2})?/[a-z0-9]+(-[a-z0-9]+)*$"),
        "version": d("Version number of this pack (one file per version); rule_versions.version_number.", type="integer", minimum=1),
        "title": d("Human title.", type="string", minLength=1),
        "authority": d("The board or agency.", type="string", minLength=1),
        "credential": d("Which fact table holds the credential the pack evaluates; one evaluation per matching row.",
                        enum=["license", "dea_registration", "csr_certificate", "board_certification"]),
        "applies_to": d("Which credential rows the pack applies to.", type="object", additionalProperties=False, properties={
            "state": d("Two-letter state code; required for license and csr_certificate packs.", enum=STATES),
            "license_types": d("License types (license packs only); absent = all.", type="array", minItems=1, uniqueItems=True,
                               items=d("A license type.", enum=LICENSE_TYPES)),
        }),
        "effective": d("When this version is in force; versions of one pack must neither overlap nor leave a gap.", type="object",
                       additionalProperties=False, required=["from"], properties={
            "from": dict(DATE, description="First day in force (inclusive)."),
            "to": dict(DATE, description="Last day in force (inclusive); absent = open-ended."),
        }),
        "citations": d("Citations by id (at least one): a string, or text/url/confidence/note.", type="object", minProperties=1,
                       propertyNames={"pattern": "^[a-z0-9]+([-_][a-z0-9]+)*$"},
                       additionalProperties=d("A citation.", oneOf=[
                           {"type": "string", "minLength": 1, "description": "The citation text."},
                           d("A citation with source details.", type="object", additionalProperties=False, required=["text"], properties={
                               "text": d("Citation text, e.g. 22 Tex. Admin. Code §161.35.", type="string", minLength=1),
                               "url": d("Source page.", type="string", format="uri"),
                               "confidence": CONF,
                               "note": d("Free text about the source (conflicts, truncation, reading chosen).", type="string"),
                           })])),
        "parameters": d("Named parameters whose values change by date; referenced as params.NAME.", type="object",
                        propertyNames={"pattern": "^[a-z][a-z0-9_]*$"},
                        additionalProperties=d("A parameter.", type="object", additionalProperties=False, required=["type", "values"], properties={
                            "type": d("Declared type.", enum=["int", "decimal", "bool", "string", "date"]),
                            "values": d("Date -> value; the value in force for a cycle is the one with the latest date on or before the cycle end.",
                                        type="object", minProperties=1, propertyNames=DATE,
                                        additionalProperties=d("A value of the declared type.", type=["integer", "number", "boolean", "string"])),
                        })),
        "cycle": d("The renewal cycle.", type="object", additionalProperties=False, required=["months"], properties={
            "months": d("Renewal cycle length in months.", type="integer", minimum=1),
            "cme_window_months": d("CME window length in months when decoupled from the renewal cycle (default months), e.g. WA 48.", type="integer", minimum=1),
            "warn_within_days": d("Warning window in days for at_risk and credential_expiring (default 90).", type="integer", minimum=0),
            "first_term_months": d("Longest first term from issue to first expiration (default months), e.g. CA 25: the first term runs to the end of the issue month two years on.", type="integer", minimum=1),
        }),
        "requirements": d("The requirements (at least one).", type="array", minItems=1, items={"$ref": "#/$defs/requirement"}),
        "exemptions": d("Exemptions: when a condition holds, named requirements are exempt.", type="array", items={"$ref": "#/$defs/exemption"}),
        "tests": d("Test cases (a warning when absent).", type="array", items={"$ref": "#/$defs/test"}),
        "notes": d("Free text kept in the rule version: uncertain sources, readings chosen, rules the language cannot express.", type="string"),
        "attributes": d("Provider attributes the pack declares (pack-language §7.1): key (lower_snake_case, not a shared attribute) -> type, meaning and optional default.",
                        type="object", propertyNames={"pattern": "^[a-z][a-z0-9]*(_[a-z0-9]+)*$"}, additionalProperties=d("One declared attribute.",
                            type="object", additionalProperties=False, required=["type", "meaning"], properties={
                                "type": d("The value type.", enum=["int", "decimal", "bool", "string", "date"]),
                                "meaning": d("What the attribute records and under which rule.", type="string", minLength=1),
                                "default": d("The value used when the provider has no fact, where the board's rule makes one reasonable; of the declared type.",
                                             type=["boolean", "number", "string"]),
                            })),
        "alternatives": d("Alternatives: when a condition holds, named requirements are met another way (pack-language.md §4.1).", type="array", items={"$ref": "#/$defs/alternative"}),
        "not_issued": d("Credential types the pack's state does not issue at all, each with its citation (pack-language.md §2.1).", type="array", items=d(
            "A credential type the state does not issue.", type="object", additionalProperties=False, required=["credential", "cite"], properties={
                "credential": d("Only a state controlled-substance registration can be absent.", enum=["csr_certificate"]),
                "cite": d("Citation id (required): the source that says the state issues none.", type="string"),
            })),
    },
    "allOf": [
        {"if": {"properties": {"credential": {"enum": ["license", "csr_certificate"]}}, "required": ["credential"]},
         "then": {"properties": {"applies_to": {"required": ["state"]}}}},
        {"if": {"properties": {"credential": {"not": {"const": "license"}}}, "required": ["credential"]},
         "then": {"properties": {"applies_to": {"not": {"required": ["license_types"]}}}}},
    ],
    "$defs": {
        "category": d("CME category code (Grammar/categories.md).", enum=list(CATEGORIES)),
        "credit_type": d("CME credit type: ama_pra_1 (AMA PRA Category 1), aoa_1a, aoa_1b (AOA Category 1-A/1-B), other.", enum=CREDIT_TYPES),
        "specialty": d("Board-certification specialty code (Grammar/categories.md).", enum=SPECIALTIES),
        "deadline": deadline_schema(),
        "requirement": requirement_schema(),
        "exemption": d("An exemption.", type="object", additionalProperties=False, required=["id", "when", "exempts", "cite"], properties={
            "id": d("Unique exemption id.", type="string", pattern="^[a-z0-9]+(-[a-z0-9]+)*$"),
            "when": dict(BOOL_EXPR, description="Condition (boolean CEL) under which the exemption applies."),
            "exempts": d("Requirement ids exempted, or `all`.", oneOf=[{"const": "all", "description": "Every requirement except `credential_current` ones and those in `except`."},
                         {"type": "array", "minItems": 1, "uniqueItems": True, "items": REQ_ID, "description": "The exempted requirement ids."}]),
            "except": d("With exempts: all, the requirement ids that stay due.", type="array", uniqueItems=True, items=REQ_ID),
            "cite": d("Citation id (required).", type="string"),
            "precedence": d("When several exemptions match one requirement the highest is reported (default 0); equal precedences may not name the same requirement.", type="integer"),
        }),
        "alternative": d("An alternative that satisfies requirements another way.", type="object", additionalProperties=False, required=["id", "when", "satisfies", "cite"], properties={
            "id": d("Unique alternative id (distinct from requirement and exemption ids).", type="string", pattern="^[a-z0-9]+(-[a-z0-9]+)*$"),
            "title": d("Names the way in the result's reason (default: the id with spaces).", type="string", minLength=1),
            "when": dict(BOOL_EXPR, description="Condition (boolean CEL) under which the alternative satisfies the requirements."),
            "satisfies": d("Requirement ids it satisfies (never a credential_current one).", type="array", minItems=1, uniqueItems=True, items=REQ_ID),
            "cite": d("Citation id (required): the source of this way.", type="string"),
        }),
        "test": test_schema(),
    },
}
if __name__ == "__main__":
    print(json.dumps(schema, indent=2, ensure_ascii=False))
