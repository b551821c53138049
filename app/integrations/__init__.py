"""Adapters to the outside world, each behind a small interface configured from the app config."""
