"""The Jinja environment every document template runs in: a sandbox with short allow-lists.

Experts upload their own DOCX templates, so template code is untrusted: an expert must not
reach Python objects (``cycler.__init__.__globals__.os``, ``__subclasses__()``), settings,
files or another expert's data, nor stall a web worker. Three layers, all in this module and
used by rendering and by the linter alike:

1. A static check of the parsed template (``unsafe_constructs``), run whenever a template is
   parsed or compiled: no ``{% include/import/extends/macro/call/block/autoescape %}``, no
   name or attribute starting with ``_``, only the filters, tests and method calls listed
   here, no ``%`` string formatting, no ``.format()``. A template that fails it is refused
   (``TemplateRefused``) before any of it runs, naming the tag.
2. Jinja's ``ImmutableSandboxedEnvironment`` at run time: attribute access is checked again
   (underscore names, Python internals, mutating methods), and callable attributes are
   limited to the same allow-list of methods; ``str.format`` is refused rather than wrapped.
3. Budgets per render, so a template cannot exhaust memory or CPU: ``range()`` size,
   the size of strings made by ``+ * ~`` and the ``join``/``replace`` filters, the exponent
   of ``**``, the number of loop iterations and calls, the total output, and a deadline.

The template context itself is plain data (dicts, lists, strings, Decimals) built from the
engagement's spec, so what a template can read is that engagement and nothing else.
"""

import contextvars
import html
import re
import time
from dataclasses import dataclass

from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, nodes
from jinja2.defaults import DEFAULT_FILTERS, DEFAULT_TESTS
from jinja2.environment import Template
from jinja2.runtime import LoopContext, Undefined, markup_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import pass_eval_context
from jinja2.visitor import NodeTransformer
from markupsafe import soft_str

MAX_RANGE = 10_000  # items of one range()
MAX_STRING = 1_000_000  # characters of one string (or items of one list) a template makes
MAX_OUTPUT = 20_000_000  # characters a render may output in all (a 1,000-page DOCX is less)
MAX_STEPS = 200_000  # loop iterations + calls in one render (a large quote needs < 5,000)
MAX_SECONDS = 10.0  # wall time of one render part
MAX_EXPONENT = 1_000  # right side of ** on integers
MAX_INT_BITS = 100_000  # size of an integer ** may make

# Jinja's own filters a document may use (besides the document filters of rendering.py).
BUILTIN_FILTERS = (
    "abs", "capitalize", "count", "d", "default", "e", "escape", "first", "float", "int",
    "join", "last", "length", "lower", "replace", "round", "string", "title", "trim", "upper",
)
# Jinja tests: all but those that inspect the environment or callables.
TESTS = tuple(sorted(set(DEFAULT_TESTS) - {"callable", "filter", "test"}))
# The only global function.
GLOBALS = ("range",)
# Methods a template may call, per type of the object.
SAFE_METHODS = {
    str: frozenset({"capitalize", "endswith", "lower", "lstrip", "rstrip", "split",
                    "splitlines", "startswith", "strip", "title", "upper"}),
    dict: frozenset({"get", "items", "keys", "values"}),
    LoopContext: frozenset({"changed", "cycle"}),
}
SAFE_METHOD_NAMES = frozenset().union(*SAFE_METHODS.values())
# Names Jinja or other template languages offer that documents do not have: refused by name
# so the error says so, instead of "unknown variable".
FORBIDDEN_NAMES = frozenset({
    "self", "cycler", "joiner", "lipsum", "namespace", "dict", "caller", "varargs", "kwargs",
    "request", "config", "settings", "environment", "context", "g", "session", "os", "sys",
})

_ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, nodes.For, nodes.Assign,
    nodes.AssignBlock, nodes.With, nodes.FilterBlock, nodes.Name, nodes.Const, nodes.Tuple,
    nodes.List, nodes.Dict, nodes.Pair, nodes.Keyword, nodes.CondExpr, nodes.Getattr,
    nodes.Getitem, nodes.Slice, nodes.Concat, nodes.Compare, nodes.Operand, nodes.Filter,
    nodes.Test, nodes.Call, nodes.BinExpr, nodes.UnaryExpr,
)
_TAG_NAMES = {
    nodes.Include: "{% include %}", nodes.Import: "{% import %}",
    nodes.FromImport: "{% from … import %}", nodes.Extends: "{% extends %}",
    nodes.Block: "{% block %}", nodes.Macro: "{% macro %}", nodes.CallBlock: "{% call %}",
    nodes.ScopedEvalContextModifier: "{% autoescape %}",
    nodes.EvalContextModifier: "{% autoescape %}", nodes.NSRef: "{% set x.y = … %}",
    nodes.ExprStmt: "{% do %}", nodes.Scope: "{% autoescape %}",
}


class TemplateRefused(SecurityError):
    """A template that uses something documents may not: carries every problem found."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


class LimitExceeded(SecurityError):
    """A render that went over one of the budgets (size, iterations, time)."""


@dataclass(frozen=True)
class Problem:
    message: str  # what is refused and why
    tag: str  # the template tag it is in, as the expert typed it (best effort)

    def __str__(self):
        return f"{self.message}: {self.tag}" if self.tag else self.message


# --- 1. The static check ---------------------------------------------------------------------

_TAG_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def tag_at(source, lineno, hint=""):
    """The tag on line ``lineno`` of the template source (XML stripped), preferring the one that
    contains ``hint``: what the expert sees in Word, so the error can say where to look."""
    lines = source.splitlines()
    if not 0 < (lineno or 0) <= len(lines):
        return ""
    text = html.unescape(re.sub(r"<[^>]+>", "", lines[lineno - 1]))
    tags = _TAG_RE.findall(text) or [text.strip()]
    chosen = next((tag for tag in tags if hint and hint in tag), tags[0])
    return chosen if len(chosen) <= 160 else chosen[:157] + "…"


def _problems(node, source):
    def problem(message, hint=""):
        lineno = node.lineno or next((n.lineno for n in node.find_all(nodes.Node) if n.lineno), 0)
        return Problem(message, tag_at(source, lineno, hint))

    if not isinstance(node, _ALLOWED_NODES):
        label = _TAG_NAMES.get(type(node), type(node).__name__)
        return [problem(_("%(tag)s is not allowed in document templates") % {"tag": label},
                        label.split()[1] if label.startswith("{%") else "")]
    found = []
    if isinstance(node, nodes.For) and node.recursive:
        found.append(problem(_("recursive loops are not allowed in document templates"), "for"))
    elif isinstance(node, nodes.Name):
        if node.name.startswith("_"):
            found.append(problem(_("names starting with “_” are not allowed (%(name)s)")
                                 % {"name": node.name}, node.name))
        elif node.name in FORBIDDEN_NAMES:
            found.append(problem(_("“%(name)s” is not available in document templates")
                                 % {"name": node.name}, node.name))
    elif isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
        found.append(problem(_("attributes starting with “_” are not allowed (%(name)s)")
                             % {"name": node.attr}, node.attr))
    elif (isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)
          and isinstance(node.arg.value, str) and node.arg.value.startswith("_")):
        found.append(problem(_("attributes starting with “_” are not allowed (%(name)s)")
                             % {"name": node.arg.value}))
    elif isinstance(node, nodes.Filter) and node.name not in node.environment.filters:
        found.append(problem(
            _("the filter “%(name)s” is not allowed; allowed filters: %(allowed)s")
            % {"name": node.name, "allowed": ", ".join(sorted(node.environment.filters))},
            node.name))
    elif isinstance(node, nodes.Test) and node.name not in node.environment.tests:
        found.append(problem(_("the test “%(name)s” is not allowed; allowed tests: %(allowed)s")
                             % {"name": node.name, "allowed": ", ".join(TESTS)}, node.name))
    elif isinstance(node, nodes.Call):
        callee = node.node
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            found.append(problem(_("argument unpacking (*args, **kwargs) is not allowed")))
        elif isinstance(callee, nodes.Name) and callee.name not in GLOBALS:
            if not callee.name.startswith("_") and callee.name not in FORBIDDEN_NAMES:
                found.append(problem(_("calling “%(name)s()” is not allowed; the only function is "
                                       "range()") % {"name": callee.name}, callee.name + "("))
        elif isinstance(callee, nodes.Getattr):
            if callee.attr not in SAFE_METHOD_NAMES and not callee.attr.startswith("_"):
                found.append(problem(
                    _("calling “.%(name)s()” is not allowed; allowed methods: %(allowed)s")
                    % {"name": callee.attr, "allowed": ", ".join(sorted(SAFE_METHOD_NAMES))},
                    "." + callee.attr))
        elif not isinstance(callee, nodes.Name):
            found.append(problem(_("only range() and the allowed methods can be called")))
    elif (isinstance(node, nodes.Mod) and isinstance(node.left, nodes.Const)
          and isinstance(node.left.value, str)):
        found.append(problem(_("string formatting with “%(operator)s” is not allowed; use the "
                               "filters") % {"operator": "%"}, "%"))
    return found


def unsafe_constructs(tree, source):
    """Every problem of a parsed template, in document order (empty list: nothing refused).
    A refused statement is reported once, not again for what it contains."""
    found = []

    def walk(node):
        for problem in _problems(node, source):
            if problem not in found:
                found.append(problem)
        if isinstance(node, _ALLOWED_NODES):
            for child in node.iter_child_nodes():
                walk(child)

    walk(tree)
    return found


# --- 3. Budgets --------------------------------------------------------------------------------

class Budget:
    """What one render may still spend."""

    def __init__(self):
        self.steps = 0
        self.output = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def step(self):
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise LimitExceeded(_("the template runs more than %(max)s loop iterations or calls")
                                % {"max": MAX_STEPS})
        if time.monotonic() > self.deadline:
            raise LimitExceeded(_("the template takes more than %(max)s seconds to render")
                                % {"max": MAX_SECONDS})

    def spend_output(self, size):
        self.output += size
        if self.output > MAX_OUTPUT:
            raise LimitExceeded(_("the template outputs more than %(max)s characters")
                                % {"max": MAX_OUTPUT})


_budget = contextvars.ContextVar("terms_kit_template_budget", default=None)


def _current_budget():
    # Outside DocumentTemplate.render (e.g. a bare generate()), each call gets a fresh budget:
    # the per-value limits still hold.
    return _budget.get() or Budget()


def _too_long():
    raise LimitExceeded(_("the template makes a value longer than %(max)s characters")
                        % {"max": MAX_STRING})


def _check_size(value):
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_STRING:
        _too_long()
    return value


def safe_range(*args):
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LimitExceeded(_("range() of %(count)s items is over the limit of %(max)s")
                            % {"count": len(numbers), "max": MAX_RANGE})
    return numbers


def _loop(iterable):
    """Wraps every {% for %} iterable: each iteration spends one step."""
    budget = _current_budget()
    for item in iterable:
        budget.step()
        yield item


def _concat(*parts):
    """What ``a ~ b`` compiles to here: the same join, with its size checked first."""
    parts = [soft_str(part) for part in parts]
    if sum(map(len, parts)) > MAX_STRING:
        _too_long()
    return markup_join(parts)


def _checked_concat(parts):
    """The environment's ``concat`` (a render's output, {% set %} blocks, filter blocks)."""
    out, size = [], 0
    for part in parts:
        size += len(part)
        if size > MAX_OUTPUT:
            raise LimitExceeded(_("the template outputs more than %(max)s characters")
                                % {"max": MAX_OUTPUT})
        out.append(part)
    _current_budget().spend_output(size)
    return "".join(out)


@pass_eval_context
def _join(eval_ctx, value, d="", attribute=None):
    items = list(value)
    if len(soft_str(d)) * max(len(items) - 1, 0) > MAX_STRING:
        _too_long()
    return _check_size(DEFAULT_FILTERS["join"](eval_ctx, items, d, attribute))


@pass_eval_context
def _replace(eval_ctx, s, old, new, count=None):
    text, old, new = soft_str(s), soft_str(old), soft_str(new)
    occurrences = text.count(old) if old else len(text) + 1
    if count is not None:
        occurrences = min(occurrences, max(int(count), 0))
    if len(text) + occurrences * max(len(new) - len(old), 0) > MAX_STRING:
        _too_long()
    return DEFAULT_FILTERS["replace"](eval_ctx, s, old, new, count)


def _power(left, right):
    if isinstance(left, int) and isinstance(right, int):
        if abs(right) > MAX_EXPONENT or abs(left).bit_length() * max(right, 0) > MAX_INT_BITS:
            raise LimitExceeded(_("the number %(left)s ** %(right)s is too large")
                                % {"left": left, "right": right})
    return left ** right


def _repeat(left, right):
    sequence, times = (left, right) if isinstance(left, (str, list, tuple)) else (right, left)
    if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
        if len(sequence) * max(times, 0) > MAX_STRING:
            _too_long()
    return left * right


def _modulo(left, right):
    if isinstance(left, str):
        raise SecurityError(_("string formatting with “%(operator)s” is not allowed; use the "
                              "filters") % {"operator": "%"})
    return left % right


def _finalize(value):
    """Every ``{{ value }}`` goes through here: functions and methods are not printed (their
    representation says nothing useful and shows memory addresses)."""
    if callable(value) and not isinstance(value, Undefined):
        raise SecurityError(_("a function or method cannot be printed; call an allowed one"))
    return value


# --- 2. The environment ------------------------------------------------------------------------

class _Guard(NodeTransformer):
    """Routes loops and ``~`` through the budgeted helpers (applied after the static check)."""

    def visit_For(self, node):
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.Name("_tk_loop", "load"), [node.iter], [], None, None,
                               lineno=node.lineno)
        return node

    def visit_Concat(self, node):
        self.generic_visit(node)
        return nodes.Call(nodes.Name("_tk_concat", "load"), node.nodes, [], None, None,
                          lineno=node.lineno)


class DocumentTemplate(Template):
    def render(self, *args, **kwargs):
        token = _budget.set(Budget())
        try:
            return super().render(*args, **kwargs)
        finally:
            _budget.reset(token)


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox documents are rendered and linted in (strict undefined, autoescape on).

    It also keeps compiled templates: docxtpl compiles the document XML on every render, and
    compiling is most of a render's time."""

    intercepted_binops = frozenset({"+", "*", "**", "%"})
    template_class = DocumentTemplate
    concat = staticmethod(_checked_concat)
    max_cached = 128

    def __init__(self, filters):
        super().__init__(undefined=StrictUndefined, autoescape=True, finalize=_finalize)
        self.globals.clear()
        self.globals.update(range=safe_range, _tk_loop=_loop, _tk_concat=_concat)
        self.filters = {name: DEFAULT_FILTERS[name] for name in BUILTIN_FILTERS}
        self.filters.update(join=_join, replace=_replace, **filters)
        self.tests = {name: DEFAULT_TESTS[name] for name in TESTS}
        self.binop_table = {**self.binop_table, "**": _power, "*": _repeat, "%": _modulo}
        self._compiled = {}

    # Static check: every parse (linter) and every compile (render) goes through _parse.
    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        problems = unsafe_constructs(tree, source)
        if problems:
            raise TemplateRefused(problems)
        return tree

    def _generate(self, source, name, filename, defer_init=False):
        problems = unsafe_constructs(source, "")  # again, for a tree compiled without _parse
        if problems:
            raise TemplateRefused(problems)
        tree = _Guard().visit(source)
        tree.set_environment(self)
        return super()._generate(tree, name, filename, defer_init=defer_init)

    def is_safe_attribute(self, obj, attr, value):
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if callable(value):
            return any(isinstance(obj, kind) and attr in names
                       for kind, names in SAFE_METHODS.items())
        return True

    def wrap_str_format(self, value):
        return None  # str.format / format_map are refused by is_safe_attribute, not wrapped

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        _current_budget().step()
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator, left, right):
        return _check_size(super().call_binop(context, operator, left, right))

    def from_string(self, source, globals=None, template_class=None):
        if globals or template_class:
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= self.max_cached:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template
