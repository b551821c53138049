"""Use cases: one function = one business action = one transaction.

Services take plain arguments plus the acting user, validate, write the models, record the
audit and timeline entries, commit, and only then enqueue jobs.
"""
