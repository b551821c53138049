"""Pure business rules: no Flask, no database session, no clock (callers pass `today`)."""
