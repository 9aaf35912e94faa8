"""The programme over time: what session logs show (``progress``)."""
