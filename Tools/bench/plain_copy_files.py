#!/usr/bin/env python3
"""Turns a facts file (JSON Lines, as add_references.py leaves it) into one tab-separated file per
table, with the same uuids `credrules db import` computes, for the plain `psql \\copy` baseline of
Tools/bench/db-import.sh. Protected columns are written as plaintext bytes (the baseline does no
encryption). Usage: plain_copy_files.py FACTS.jsonl OUT_DIR; prints `table<TAB>file<TAB>columns`.
"""
import hashlib
import json
import os
import sys

TABLES = {
    "organizations": [("id", "id"), ("external_id", "xid"), ("name", "t")],
    "providers": [("id", "id"), ("external_id", "xid"), ("org_id", "ref"), ("first_name", "t"), ("last_name", "t"),
                  ("npi", "b"), ("date_of_birth", "b"), ("is_synthetic", "bool"), ("encryption_key_id", "key")],
    "documents": [("id", "id"), ("external_id", "xid"), ("provider_id", "ref"), ("s3_uri", "t"), ("file_type", "t"),
                  ("sha256_hash", "t")],
    "provider_states": [("id", "id"), ("external_id", "xid"), ("provider_id", "ref"), ("state", "t")],
    "provider_attributes": [("id", "attr"), ("provider_id", "ref"), ("key", "t"), ("value", "json")],
    "licenses": [("id", "id"), ("external_id", "xid"), ("provider_id", "ref"), ("state", "t"), ("license_number", "t"),
                 ("license_type", "t"), ("status", "t"), ("issue_date", "t"), ("expiration_date", "t"),
                 ("extracted_from_doc_id", "ref")],
    "dea_registrations": [("id", "id"), ("external_id", "xid"), ("provider_id", "ref"), ("registration_number", "t"),
                          ("state", "t"), ("schedules", "json"), ("issue_date", "t"), ("expiration_date", "t"),
                          ("extracted_from_doc_id", "ref")],
    "csr_certificates": [("id", "id"), ("external_id", "xid"), ("provider_id", "ref"), ("state", "t"), ("csr_number", "t"),
                         ("issue_date", "t"), ("expiration_date", "t"), ("extracted_from_doc_id", "ref")],
    "board_certifications": [("id", "id"), ("external_id", "xid"), ("provider_id", "ref"), ("specialty", "t"),
                             ("board_name", "t"), ("issue_date", "t"), ("expiration_date", "t"),
                             ("extracted_from_doc_id", "ref")],
    "cme_events": [("id", "id"), ("external_id", "xid"), ("provider_id", "ref"), ("title", "t"), ("category", "t"),
                   ("credit_type", "t"), ("credits_earned", "num"), ("completion_date", "t"), ("expiration_date", "t"),
                   ("extracted_from_doc_id", "ref")],
}


def uuid_of(external_id):
    d = bytearray(hashlib.sha256(("credrules:" + external_id).encode()).digest()[:16])
    d[6] = (d[6] & 0x0F) | 0x80
    d[8] = (d[8] & 0x3F) | 0x80
    h = d.hex()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def field(row, name, kind):
    if kind == "id" or kind == "xid":
        return uuid_of(row["id"]) if kind == "id" else escape(row["id"])
    if kind == "attr":
        return uuid_of("provider_attributes:%s:%s" % (row["provider_id"], row["key"]))
    if kind == "key":
        return "plain"
    value = row.get(name)
    if value is None:
        return "\\N"
    if kind == "ref":
        return uuid_of(value)
    if kind == "bool":
        return "t" if value else "f"
    if kind == "json":
        return escape(json.dumps(value, separators=(",", ":")))
    if kind == "b":
        return "\\\\x" + str(value).encode().hex()
    return escape(str(value))


def main():
    source, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    files = {t: open(os.path.join(out_dir, t + ".tsv"), "w") for t in TABLES}
    with open(source) as infile:
        for line in infile:
            if not line.strip():
                continue
            document = json.loads(line)
            for table, columns in TABLES.items():
                for row in document.get(table, []):
                    files[table].write("\t".join(field(row, n, k) for n, k in columns) + "\n")
    for table, columns in TABLES.items():
        files[table].close()
        print("%s\t%s\t%s" % (table, os.path.join(out_dir, table + ".tsv"), ",".join(n for n, _ in columns)))


if __name__ == "__main__":
    main()
