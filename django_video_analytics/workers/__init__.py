"""Camera workers: where the analysis wing meets the data plane (leases, status, events)."""
