"""The decisions: what happens when someone asks for something, over ports and stores.

Callers (the web edge, the console, jobs, the CLI) hand requests in; use cases decide and
call storage, matching and the ports. Nothing here knows HTTP, Redis, RQ or Twilio.
"""
