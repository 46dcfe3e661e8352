"""Small shared helpers, each in a module named for what it does."""
