"""Shared test settings: matplotlib draws off screen; hypothesis profiles sized for a small CI machine."""
import os

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")  # once for every test file: figures are drawn, never shown

settings.register_profile("default", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=400, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
