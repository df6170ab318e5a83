"""Seeded generator of the synthetic example export, calibrated to the published figures."""
