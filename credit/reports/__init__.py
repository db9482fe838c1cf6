"""Static reports for auditors and departments, written by the reports job, readable offline."""
