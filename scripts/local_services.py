"""Services of this machine for scripts/serve, the benches and the S3 tests.

moto's S3 server on 127.0.0.1 stands in for the S3 service of a real deployment (same API,
the same boto3 client in django-storages); PostgreSQL and Redis are the real ones.

    python scripts/local_services.py create-bucket ENDPOINT BUCKET
    python scripts/local_services.py create-database DATABASE_URL
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MOTO_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local-moto", "AWS_SECRET_ACCESS_KEY": "local-moto",
                    "AWS_DEFAULT_REGION": "us-east-1"}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url, seconds=30, process=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process serving {url} stopped (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers: that is all we wait for
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered at {url} within {seconds} s")


def start_moto(port=None, log=None):
    """moto_server on 127.0.0.1 (a free port by default): ``(process, endpoint_url)``."""
    port = port or free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(endpoint + "/moto-api/", process=process)
    except Exception:
        process.kill()
        raise
    return process, endpoint


def create_bucket(endpoint, bucket, region="us-east-1"):
    import boto3

    wait_for_http(endpoint)  # a server started a moment ago may not listen yet

    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name=region,
        **{name.lower(): os.environ.get(name, MOTO_CREDENTIALS[name])
           for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")},
    )
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)
    return client


def create_database(url):
    """Create the PostgreSQL database of ``url`` when it does not exist yet."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"   created the database {name}")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"create-bucket": create_bucket, "create-database": create_database}[command](*args)
