#!/usr/bin/env python3
"""Adds the rows a facts file refers to but does not carry, so `credrules db import` accepts it.

The generated populations (Tools/generate) cite organizations (providers.org_id) and documents
(extracted_from_doc_id) by id only; in the database both are foreign keys. This adds an
`organizations` row the first time each org id appears and a `documents` row per cited document
(owned by the citing provider, with a deterministic placeholder hash).

    python3 Tools/postgres/add_references.py IN OUT     # JSON Lines (.jsonl) or one JSON object
"""
import hashlib
import json
import sys

FACT_TABLES = ["licenses", "dea_registrations", "csr_certificates", "board_certifications", "cme_events"]


def add(document, seen_orgs):
    organizations = []
    for provider in document.get("providers", []):
        org = provider.get("org_id")
        if org and org not in seen_orgs:
            seen_orgs.add(org)
            organizations.append({"id": org, "name": "Organization " + org})
    documents = {}
    for table in FACT_TABLES:
        for row in document.get(table, []):
            doc = row.get("extracted_from_doc_id")
            if doc and doc not in documents:
                documents[doc] = {
                    "id": doc,
                    "provider_id": row["provider_id"],
                    "s3_uri": "s3://credrules-synthetic/" + doc,
                    "file_type": "application/pdf",
                    "sha256_hash": hashlib.sha256(doc.encode()).hexdigest(),
                }
    out = {}
    if organizations:
        out["organizations"] = organizations
    if documents:
        out["documents"] = sorted(documents.values(), key=lambda d: d["id"])
    out.update(document)
    return out


def main():
    source, target = sys.argv[1], sys.argv[2]
    seen = set()
    with open(source) as infile, open(target, "w") as outfile:
        if source.endswith(".jsonl") or source.endswith(".ndjson"):
            for line in infile:
                if line.strip():
                    outfile.write(json.dumps(add(json.loads(line), seen), separators=(",", ":")) + "\n")
        else:
            json.dump(add(json.load(infile), seen), outfile, separators=(",", ":"))
            outfile.write("\n")


if __name__ == "__main__":
    main()
