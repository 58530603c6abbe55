"""The decisions of the service, between the edges (telephony, jobs) and storage.

Nothing here imports the web, the queue or the carrier (an import-linter contract holds it).
"""
