"""A subject access request (UK GDPR art. 15): every case in which one adult appears, as the
adult at risk or as the alleged source, each as its evidence pack, with an index of them.

The cases are found in the concern index (`projections/concern_index.py`, caught up first, so
every concern raised so far is in it). The packs are whole: what must be withheld about third
parties (the other adult, staff) is for the person answering the request to decide.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from eventstore.application import SafeguardingRecords
from evidence.files import own_dir, write_private
from evidence.pack import build_pack
from evidence.render import write_pack
from evidence.store import EvidenceError
from projections.concern_index import ConcernIndex
from projections.feed import ProjectionFeed


def cases_of(feed: ProjectionFeed, adult_id: str) -> dict[str, str]:
    """Case id -> how the adult appears in it ("adult at risk", "alleged source"), oldest first."""
    feed.catch_up(only=ConcernIndex.name)
    doc = feed.documents.read(ConcernIndex.name, [f"person:{adult_id}"]).get(f"person:{adult_id}", {})
    found = sorted(doc.items(), key=lambda kv: (kv[1]["identified_at"], kv[0]))
    return {case_id: " and ".join(role for role, key in (("adult at risk", "adult"), ("alleged source", "source"))
                                  if entry.get(key) == adult_id) for case_id, entry in found}


def subject_access(records: SafeguardingRecords, feed: ProjectionFeed, adult_id: str, out: Path, generated_by: str,
                   generated_at: datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """Every case's pack under `out`, and `out/ADULT_ID.json` listing them; returns the index and
    each file written (relative name -> SHA-256)."""
    cases = cases_of(feed, adult_id)
    if not cases:
        raise EvidenceError(f"no case in the event store names {adult_id} as adult at risk or alleged source")
    files: dict[str, str] = {}
    listed = []
    linked = [case_id for case_id in cases if (out / case_id).is_symlink()]
    if linked:  # every folder checked before any is made or written
        own_dir(out / linked[0])
    folders = {case_id: own_dir(out / case_id) for case_id in cases}
    for case_id, appears_as in cases.items():
        pack = build_pack(records, feed.documents, case_id, generated_by, generated_at)
        written = write_pack(pack, folders[case_id])
        files.update({f"{case_id}/{name}": digest for name, digest in written.items()})
        listed.append({"case_id": case_id, "appears_as": appears_as, "status": pack.status,
                       "raised_at": pack.concern.raised_at.isoformat(), "service": pack.concern.service.get("id"),
                       "intact": pack.verification.intact, "files": sorted(written)})
    index = {"subject": adult_id, "generated_at": generated_at.isoformat(), "generated_by": generated_by,
             "cases": listed}
    text = json.dumps(index, indent=1) + "\n"
    write_private(out / f"{adult_id}.json", text.encode())
    files[f"{adult_id}.json"] = hashlib.sha256(text.encode()).hexdigest()
    return index, files
