"""Private implementation of eagerkit. Public names live in the thin modules one level up."""
