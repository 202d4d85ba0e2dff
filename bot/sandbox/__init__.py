"""Try Hearth without Discord: ``python -m bot sandbox`` runs the real bot against the bundled emulator
and serves a small web client to act as the seeded people."""
