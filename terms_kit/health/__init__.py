"""Liveness and readiness endpoints for load balancers and orchestrators (docs/deployment.md).

A host site includes ``terms_kit.health.urls`` at its root: ``/healthz`` says the process
answers (no database), ``/readyz`` runs the probes of ``probes.py`` and answers 503 when one
this node needs to serve fails (the task queue's lag is reported, and counts only at
``/readyz?queue=1``). Neither ever shows a host name, an address, a credential or an
exception message: only each probe's name, ok/failed, its time and the exception's class
(the details go to the log).
"""
