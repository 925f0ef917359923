"""What a Safeguard process counts and times while it runs, for Prometheus (issue 23): the
instruments every layer may touch (`instruments.py`), and Temporal's SDK's own metrics
(`temporal_sdk.py`). No label carries a case id, a person's id, a name or free text."""
