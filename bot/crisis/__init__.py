"""Crisis detection for Hearth: an offline, rule-based screen for suicide and self-harm risk."""

from bot.crisis.detector import Assessment, CrisisDetector, Severity

__all__ = ["Assessment", "CrisisDetector", "Severity"]
