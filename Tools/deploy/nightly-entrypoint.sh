#!/bin/sh
# One shard of the night, in a pod of the Indexed Job (Tools/deploy/README.md):
#   shard   = JOB_COMPLETION_INDEX / SHARDS (the Job's completion index and completion count)
#   as-of   = AS_OF when set (a manual Job); from the CronJob (NIGHT_FROM_SCHEDULE=true), the day it
#             scheduled this Job, read from the Job's name (`<cronjob>-<minutes since the epoch>`), so
#             that a pod retried after midnight resumes the same night instead of starting the next.
# The database URL comes from CREDRULES_DATABASE_URL (a Secret). Exit status: 0 done (or already
# done), 1 a database error or the shard's lock held by another process (the Job retries it),
# 2 a usage error (the Job's podFailurePolicy fails the index without retrying).
set -eu
: "${JOB_COMPLETION_INDEX:?not set: run me in an Indexed Job}"
: "${SHARDS:?not set: the Job's completions}"
if [ -z "${AS_OF:-}" ]; then
  [ "${NIGHT_FROM_SCHEDULE:-}" = true ] || { echo "nightly: set AS_OF (YYYY-MM-DD) for a Job not made by the CronJob" >&2; exit 2; }
  minutes="${JOB_NAME##*-}"
  case "$minutes" in
    ''|*[!0-9]*) echo "nightly: set AS_OF, or run from the CronJob (job name ends in its scheduled minute): got '${JOB_NAME:-}'" >&2; exit 2 ;;
  esac
  AS_OF="$(date -u -d "@$((minutes * 60))" +%F)"
fi
exec credrules run --as-of "$AS_OF" --shard "$JOB_COMPLETION_INDEX/$SHARDS" --actor "k8s:${JOB_NAME:-manual}/$JOB_COMPLETION_INDEX" ${BATCH_SIZE:+--batch-size "$BATCH_SIZE"}
