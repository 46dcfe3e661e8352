"""compile / fit / evaluate / predict, callbacks, progress bars and data adapters."""
