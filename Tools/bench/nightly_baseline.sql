-- The baseline of Tools/bench/nightly.sh: what a team would write instead of `credrules run`, one
-- hand-written statement computing, per license, the renewal window, the CME hours earned in it
-- and a status, inside PostgreSQL, written to a table. No execution log, no explanations, no
-- citations, no gaps; no category, credit-type, topic, carry-forward, grace or exemption rule;
-- DEA, CSR and board certifications not covered. The per-board figures (CME window length, warning
-- days, total hours) are read from the published packs, as a team would keep them in a
-- configuration table. The window is the months up to the expiration date, both ends counted.
-- The as-of date comes in as psql variable :as_of.
--   psql -v as_of=2026-11-26 -f Tools/bench/nightly_baseline.sql DATABASE_URL
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_sql_windows;
CREATE TABLE bench_sql_windows (
    license_id uuid, provider_id uuid, cme_window_start date, cme_window_end date, next_renewal_date date,
    days_until_due integer, cme_hours numeric, required_hours numeric, compliance_status text);
\timing on
INSERT INTO bench_sql_windows
WITH board AS (
    -- Per state and license type: the latest published pack's cycle and total CME hours (a constant,
    -- or a parameter's latest value; an hours formula counts as 0: a team would hard-code it).
    SELECT DISTINCT ON (rv.rule_json -> 'applies_to' ->> 'state', lt.license_type)
           rv.rule_json -> 'applies_to' ->> 'state' AS state, lt.license_type,
           (rv.rule_json -> 'cycle' ->> 'cme_window_months')::integer AS window_months,
           coalesce((rv.rule_json -> 'cycle' ->> 'warn_within_days')::integer, 90) AS warn_days,
           coalesce((total.r -> 'hours' ->> 'constant')::numeric,
                    (SELECT (p -> 'values' -> -1 ->> 'value')::numeric FROM jsonb_array_elements(rv.rule_json -> 'parameters') p
                     WHERE 'params.' || (p ->> 'name') = total.r -> 'hours' -> 'expression' ->> 'source'), 0) AS required_hours
    FROM rule_versions rv
    CROSS JOIN LATERAL jsonb_array_elements_text(rv.rule_json -> 'applies_to' -> 'license_types') AS lt (license_type)
    LEFT JOIN LATERAL (
        SELECT r FROM jsonb_array_elements(rv.rule_json -> 'requirements') r
        WHERE r ->> 'kind' = 'cme_hours' AND r -> 'categories' IS NULL AND r -> 'credit_types' IS NULL LIMIT 1) total ON true
    ORDER BY rv.rule_json -> 'applies_to' ->> 'state', lt.license_type, rv.version_number DESC
)
SELECT l.id, l.provider_id, w.start, l.expiration_date, l.expiration_date, l.expiration_date - :'as_of'::date,
       coalesce(sum(c.credits_earned), 0), b.required_hours,
       CASE WHEN l.status <> 'active' OR l.expiration_date < :'as_of'::date THEN 'non_compliant'
            WHEN coalesce(sum(c.credits_earned), 0) >= b.required_hours THEN 'compliant'
            WHEN l.expiration_date - :'as_of'::date <= b.warn_days THEN 'at_risk'
            ELSE 'in_progress' END
FROM licenses l
JOIN board b ON b.state = l.state AND b.license_type = l.license_type
CROSS JOIN LATERAL (SELECT (l.expiration_date - make_interval(months => b.window_months))::date + 1 AS start) w
LEFT JOIN cme_events c ON c.provider_id = l.provider_id AND c.completion_date >= w.start AND c.completion_date <= l.expiration_date
GROUP BY l.id, l.provider_id, w.start, l.expiration_date, l.status, b.required_hours, b.warn_days;
