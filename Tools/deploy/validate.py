#!/usr/bin/env python3
"""Checks the recipe without a cluster: every manifest parses (PyYAML), the Jobs are Indexed with
completions equal to the ConfigMap's SHARDS, restartPolicy Never with per-index retries, the
database URL comes from the Secret, and the entrypoint's shard and night logic holds
(run with a stand-in `credrules` that prints its arguments).
    python3 Tools/deploy/validate.py
"""
import os
import pathlib
import subprocess
import sys
import tempfile

import yaml

here = pathlib.Path(__file__).resolve().parent
problems = []


def check(condition, message):
    if not condition:
        problems.append(message)


documents = {}
for path in sorted(here.glob("*.yaml")):
    for document in yaml.safe_load_all(path.read_text()):
        documents[(document["kind"], document["metadata"].get("name") or document["metadata"].get("generateName"))] = document
shards = int(documents[("ConfigMap", "credrules-nightly")]["data"]["SHARDS"])
secrets = {name for kind, name in documents if kind == "Secret"}
for (kind, name), document in documents.items():
    if kind not in ("Job", "CronJob"):
        continue
    job = document["spec"]["jobTemplate"]["spec"] if kind == "CronJob" else document["spec"]
    where = f"{kind} {name}"
    check(job.get("completionMode") == "Indexed", f"{where}: completionMode is not Indexed")
    check(job.get("completions") == shards, f"{where}: completions {job.get('completions')} but SHARDS {shards}")
    check(1 <= job.get("parallelism", 0) <= shards, f"{where}: parallelism out of 1..{shards}")
    pod = job["template"]["spec"]
    check(pod.get("restartPolicy") == "Never" and job.get("backoffLimitPerIndex", 0) > 0,
          f"{where}: a killed pod must be retried (restartPolicy Never with backoffLimitPerIndex)")
    container = pod["containers"][0]
    env = {e["name"]: e for e in container.get("env", [])}
    url = env.get("CREDRULES_DATABASE_URL", {}).get("valueFrom", {}).get("secretKeyRef", {})
    check(url.get("name") in secrets, f"{where}: CREDRULES_DATABASE_URL not from a Secret of the recipe")
    check("CREDRULES_ENCRYPTION_KEY" not in env, f"{where}: the nightly run must not get the encryption key")
    check("requests" in container.get("resources", {}), f"{where}: no resource requests")
    if kind == "CronJob":
        check(document["spec"].get("concurrencyPolicy") == "Forbid", f"{where}: two nights at once")

# The entrypoint, with a stand-in credrules on PATH.
with tempfile.TemporaryDirectory() as folder:
    stand_in = pathlib.Path(folder) / "credrules"
    stand_in.write_text('#!/bin/sh\necho "$@"\n')
    stand_in.chmod(0o755)

    def entry(**variables):
        environment = {"PATH": f"{folder}:/usr/bin:/bin", **variables}
        done = subprocess.run([str(here / "nightly-entrypoint.sh")], env=environment, capture_output=True, text=True)
        return done.returncode, done.stdout.strip(), done.stderr.strip()

    # 29402070 minutes after the epoch is 2025-11-26 02:30 UTC.
    status, out, _ = entry(JOB_COMPLETION_INDEX="2", SHARDS="4", NIGHT_FROM_SCHEDULE="true",
                           JOB_NAME="credrules-nightly-29402070", BATCH_SIZE="500")
    check(status == 0 and out == "run --as-of 2025-11-26 --shard 2/4 --actor k8s:credrules-nightly-29402070/2 --batch-size 500",
          f"entrypoint (cron): {status} {out}")
    status, out, _ = entry(JOB_COMPLETION_INDEX="0", SHARDS="4", AS_OF="2026-11-26", JOB_NAME="credrules-night-x7k2p")
    check(status == 0 and out == "run --as-of 2026-11-26 --shard 0/4 --actor k8s:credrules-night-x7k2p/0", f"entrypoint (manual): {status} {out}")
    status, _, err = entry(JOB_COMPLETION_INDEX="0", SHARDS="4", JOB_NAME="credrules-night-22222")
    check(status == 2 and "set AS_OF" in err, f"entrypoint without a night: {status} {err}")
    status, _, err = entry(SHARDS="4", AS_OF="2026-11-26")
    check(status != 0 and "Indexed Job" in err, f"entrypoint outside an Indexed Job: {status} {err}")

for problem in problems:
    print("validate.py:", problem, file=sys.stderr)
print(f"{len(documents)} manifests parsed; {len(problems)} problems")
sys.exit(1 if problems else 0)
