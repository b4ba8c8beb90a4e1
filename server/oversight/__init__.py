"""Reading the audit log: a visit's trail for supervisors and auditors, the whole log for
auditors; every reading is itself audited."""
