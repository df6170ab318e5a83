"""The private feedback batch: one PDF per respondent."""
