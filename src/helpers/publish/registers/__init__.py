"""The registers a build assembles and checks: indicators, claims, comparisons, the text check."""
