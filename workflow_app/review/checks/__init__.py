"""The checks of the review, one small function each, grouped by what they compare."""
