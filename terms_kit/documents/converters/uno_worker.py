"""One warm LibreOffice converter, driven over UNO. Run by a Python that has ``uno``.

    /usr/bin/python3 uno_worker.py SOFFICE PROFILE_URL PIPE_NAME

It starts its own soffice (own profile, UNO pipe), then answers one JSON request a line on
stdin with one JSON reply a line on the original stdout:
    {"cmd": "ping"}                                -> {"ok": true}
    {"cmd": "convert", "src": PATH, "dst": PATH, "pdfa": 2|3}
                                                   -> {"ok": true} | {"ok": false, "error": ...}
stdout is moved aside first, so nothing LibreOffice prints can corrupt the replies.
This file must not import terms_kit or Django: it runs with Debian's interpreter.
"""

import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

PDFA_VERSION = 2
CONNECT_TIMEOUT = 60


def prop(name, value):
    item = PropertyValue()
    item.Name = name
    item.Value = value
    return item


def connect(pipe_name, office):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + CONNECT_TIMEOUT
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext")
            return context.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", context
            )
        except Exception:
            if office.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def convert(desktop, src, dst, pdfa=PDFA_VERSION):
    document = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),)
    )
    try:
        filter_data = uno.Any(
            "[]com.sun.star.beans.PropertyValue", (prop("SelectPdfVersion", int(pdfa)),)
        )
        arguments = (prop("FilterName", "writer_pdf_Export"), prop("FilterData", filter_data))
        uno.invoke(document, "storeToURL", (uno.systemPathToFileUrl(dst), arguments))
    finally:
        document.close(True)


def main():
    soffice, profile_url, pipe_name = sys.argv[1:4]
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    office = subprocess.Popen(
        [soffice, f"-env:UserInstallation={profile_url}", "--headless", "--invisible",
         "--norestore", "--nologo", "--nodefault", "--nolockcheck",
         f"--accept=pipe,name={pipe_name};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        desktop = connect(pipe_name, office)
        replies.write(json.dumps({"ok": True, "ready": True}) + "\n")
        for line in sys.stdin:
            request = json.loads(line)
            try:
                if request["cmd"] == "convert":
                    convert(desktop, request["src"], request["dst"],
                            request.get("pdfa", PDFA_VERSION))
                else:
                    desktop.getCurrentComponent()  # a round trip: fails if soffice is gone
                reply = {"ok": True}
            except Exception as exc:  # reported to the parent, which recycles this worker
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            replies.write(json.dumps(reply) + "\n")
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            office.wait(timeout=10)
        except Exception:
            office.kill()


if __name__ == "__main__":
    main()
