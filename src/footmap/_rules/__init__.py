"""Rules: profile facts, rule data compiled to durable-rules, and an isolated engine."""
