"""The decisions: intake, dispatch, the call legs, escalation, roster commands, outbound.

Use cases know the ports (``usecases.ports``), the pure core (``ivr``, ``matching``) and
storage's records; never the web, the queue or the carrier adapters, which the composition
root (``peerline.bootstrap``) plugs in.
"""
