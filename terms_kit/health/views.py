"""/healthz and /readyz: JSON for machines, never cached, never rate limited."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .probes import run_probes, strict_queue_probes


@never_cache
@require_GET
def healthz(request):
    """Liveness: the process answers. Touches nothing else (a database outage must not make
    an orchestrator restart every web process)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Readiness: every service this node needs to serve answered; 503 sends the load
    balancer to another node. The task queue's lag is reported; it fails readiness only
    when asked (``?queue=1``, for a worker-side or monitoring probe)."""
    ready, checks = run_probes(strict_queue_probes() if request.GET.get("queue") == "1"
                               else None)
    return JsonResponse({"status": "ok" if ready else "failed", "checks": checks},
                        status=200 if ready else 503)
