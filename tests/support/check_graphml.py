#!/usr/bin/env python3
"""check_graphml.py - test GraphML files the way analysts' tools will read them.

The project's own copy of the GraphML checker that tests/export.rs runs on every GraphML
export; ./test installs its dependencies (tests/support/requirements.txt) in target/test-venv.

Usage:  check_graphml.py [--xsd auto|xmllint|xmlschema|both] [--strict] FILE.graphml...

For every file it
  * scans the raw text for characters XML 1.0 forbids (raw or as &#..; references),
  * checks well-formedness, then validates against the official GraphML 1.0 XSD
    vendored in tests/data/graphml-1.0 (offline: xmllint --nonet and/or the xmlschema package),
  * checks keys (declared, attr.type one of boolean/int/long/float/double/string,
    attr.name present and unique per domain, domain matches use), every <data>
    value against its declared type (Java semantics: int = 32 bit, long = 64 bit),
    id uniqueness, edges pointing at declared nodes, parse.* info if present,
  * loads the file with networkx.read_graphml and igraph Graph.Read_GraphML and
    compares every value they read with the text in the file (exact string
    comparison, so Arabic/French labels must come back unchanged),
  * prints nodes, edges, node/edge types, keys, and PASS/FAIL with reasons.

Exit status: 0 if every file passes, 1 if any fails, 2 on usage/setup errors.
FAIL lines carry a code in brackets, e.g. FAIL[dangling-edge]; WARN lines do not
fail a file unless --strict is given.  The schema is found relative to this
script. A missing dependency fails the run (exit 2); nothing is skipped.
"""
import argparse
import json
import math
import re
import shutil
import subprocess
import sys
import unicodedata
import warnings
import xml.etree.ElementTree as ET
from collections import Counter, OrderedDict, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
XSD_MAIN = HERE.parent / "data" / "graphml-1.0" / "graphml.xsd"
NS = "http://graphml.graphdrawing.org/xmlns"
ALLOWED_TYPES = ("boolean", "int", "long", "float", "double", "string")
INT32 = (-2**31, 2**31 - 1)
INT64 = (-2**63, 2**63 - 1)
FLOAT32_MAX = 3.4028234663852886e38
EXACT_DOUBLE_INT = 2**53
SETUP_HINT = "run ./test, which installs tests/support/requirements.txt in target/test-venv"

# Names Gephi's GraphML importer maps to built-in properties instead of data
# columns (matched against the key id first, then attr.name).  Source:
# gephi/gephi modules/ImportPlugin/.../ImporterGraphML.java (constructor).
GEPHI_NODE_PROPS = {"label": "label", "d3": "label", "x": "x", "y": "y", "xpos": "x",
                    "ypos": "y", "z": "z", "size": "size", "r": "r", "g": "g", "b": "b"}
GEPHI_EDGE_PROPS = {"label": "label", "edgelabel": "label", "d7": "label",
                    "weight": "weight", "Edge Weight": "weight", "id": "id",
                    "edgeid": "id", "r": "r", "g": "g", "b": "b"}

ARABIC_RE = re.compile("[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
INT_RE = re.compile(r"[+-]?[0-9]+\Z")
FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
NONFINITE_RE = re.compile(r"[+-]?(?:nan|inf|infinity)\Z", re.I)
ISO_DATE_RE = re.compile(
    r"[+-]?\d{4,}-\d{2}-\d{2}"
    r"(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?\Z")
DATE_NAME_RE = re.compile(r"(date|time|timestamp|_at|^start|^end|^begin|^until|^since)$", re.I)
TYPE_NAME_RES = [re.compile(p, re.I) for p in (
    r"^(type|node_?type|edge_?type|kind|category|class|rel|relation|relationship)$",
    r"(type|kind|category)", r"^(label|labels|name)$", r"label")]

# XML 1.0 Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
FORBIDDEN_RAW_RE = re.compile("[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]")
DISCOURAGED_RE = re.compile("[\x7F-\x84\x86-\x9F\uFDD0-\uFDEF]")
CHARREF_RE = re.compile(r"&#(x[0-9A-Fa-f]+|[0-9]+);")


def xml_char_ok(cp):
    return cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD \
        or 0x10000 <= cp <= 0x10FFFF


def short(s, n=40):
    s = s if isinstance(s, str) else repr(s)
    r = "".join(c if ord(c) >= 32 else f"\\x{ord(c):02x}" for c in s)
    return r if len(r) <= n else r[: n - 1] + "…"


def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# --------------------------------------------------------------------------
# report
class Report:
    def __init__(self, path, max_per_code):
        self.path = path
        self.lines = []          # informational lines
        self.fails = OrderedDict()
        self.warns = OrderedDict()
        self.max = max_per_code

    def info(self, label, text):
        self.lines.append(f"  {label:<11}: {text}")

    def _add(self, bucket, code, msg):
        lst = bucket.setdefault(code, OrderedDict())
        lst[msg] = lst.get(msg, 0) + 1

    def fail(self, code, msg):
        self._add(self.fails, code, msg)

    def warn(self, code, msg):
        self._add(self.warns, code, msg)

    def has_fail(self, code):
        return code in self.fails

    def render(self, strict):
        out = [f"=== {self.path}"] + self.lines
        for bucket, word in ((self.warns, "WARN"), (self.fails, "FAIL")):
            for code, msgs in bucket.items():
                for m, cnt in list(msgs.items())[: self.max]:
                    out.append(f"  {word}[{code}]: {m}" + (f" (×{cnt})" if cnt > 1 else ""))
                if len(msgs) > self.max:
                    out.append(f"  {word}[{code}]: … and {len(msgs) - self.max} more")
        nf = sum(len(v) for v in self.fails.values())
        nw = sum(len(v) for v in self.warns.values())
        failed = nf > 0 or (strict and nw > 0)
        if failed:
            why = f"{nf} problem(s)" + (f", {nw} warning(s) under --strict" if strict and nw else "")
            out.append(f"  RESULT     : FAIL ({why}: {', '.join(list(self.fails) + (list(self.warns) if strict else []))})")
        else:
            out.append("  RESULT     : PASS" + (f" ({nw} warning(s))" if nw else ""))
        return "\n".join(out), failed


# --------------------------------------------------------------------------
# raw text layer (independent of the XML parsers the clients use)
def sniff_encoding(raw):
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", "UTF-8 (with BOM)"
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        return "utf-16", "UTF-16 (BOM)"
    m = re.match(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", raw[:300])
    if m:
        return m.group(1).decode("ascii"), m.group(1).decode("ascii")
    return "utf-8", "UTF-8 (no encoding declared; XML default)"


def line_col(text, idx):
    line = text.count("\n", 0, idx) + 1
    col = idx - (text.rfind("\n", 0, idx) + 1) + 1
    return line, col


def scan_chars(text, rep):
    n = 0
    for m in FORBIDDEN_RAW_RE.finditer(text):
        ln, col = line_col(text, m.start())
        ctx = text[max(0, m.start() - 15): m.start() + 15]
        rep.fail("xml-char", f"line {ln} col {col}: raw U+{ord(m.group()):04X} is not allowed in XML 1.0 "
                             f"(context {short(ctx, 60)!s}); every XML parser rejects the file")
        n += 1
    for m in CHARREF_RE.finditer(text):
        ref = m.group(1)
        cp = int(ref[1:], 16) if ref[0] in "xX" else int(ref)
        if not xml_char_ok(cp):
            ln, col = line_col(text, m.start())
            rep.fail("xml-char", f"line {ln} col {col}: character reference {m.group()} (U+{cp:04X}) "
                                 f"is not allowed in XML 1.0, even escaped")
            n += 1
    for m in DISCOURAGED_RE.finditer(text):
        ln, col = line_col(text, m.start())
        rep.warn("xml-char", f"line {ln} col {col}: U+{ord(m.group()):04X} is a discouraged "
                             f"control/non-character (legal, but invisible and often mangled)")
    return n


TOKEN_RE = re.compile(
    r"<!--.*?-->"
    r"|<!\[CDATA\[(?P<cdata>.*?)\]\]>"
    r"|<\?.*?\?>"
    r"|<!DOCTYPE(?:[^\[>]|\[.*?\])*>"
    r"|<(?P<close>/)?(?P<name>[^\s/>!?]+)(?P<attrs>(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(?P<empty>/)?>",
    re.S)
ATTR_RE = re.compile(r"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
ENT_RE = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
ENTS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def unescape(s):
    def rep(m):
        e = m.group(1)
        if e[0] == "#":
            cp = int(e[2:], 16) if e[1] in "xX" else int(e[1:])
            return chr(cp) if 0 <= cp <= 0x10FFFF else m.group(0)
        return ENTS[e]
    return ENT_RE.sub(rep, s)


def raw_records(text):
    """Tokenise the document text with regular expressions (no XML library) and
    return node/edge/graph records with the exact text of each <data> child,
    after XML line-end normalisation and entity expansion only."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    records, stack, pos, line = [], [], 0, 1
    for m in TOKEN_RE.finditer(text):
        chunk = text[pos:m.start()]
        if stack and stack[-1].get("collect") is not None:
            stack[-1]["collect"].append(unescape(chunk))
        line += text.count("\n", pos, m.start())
        pos = m.end()
        if m.group("cdata") is not None:
            if stack and stack[-1].get("collect") is not None:
                stack[-1]["collect"].append(m.group("cdata"))
        elif m.group("name"):
            name = local(m.group("name").split(":")[-1])
            if m.group("close"):
                if not stack:
                    break
                fr = stack.pop()
                if fr["name"] == "data" and fr.get("owner") is not None:
                    fr["owner"]["data"].append((fr["attrs"].get("key"), "".join(fr["collect"]),
                                                fr["complex"], fr["line"]))
            else:
                attrs = {}
                for a in ATTR_RE.finditer(m.group("attrs") or ""):
                    v = a.group(2) if a.group(2) is not None else a.group(3)
                    attrs[a.group(1)] = unescape(re.sub(r"[\t\n\r]", " ", v))
                if stack and stack[-1].get("collect") is not None:
                    stack[-1]["complex"] = True
                fr = {"name": name, "attrs": attrs, "line": line, "collect": None}
                if name in ("node", "edge", "graph", "graphml"):
                    rec = {"kind": name, "attrs": attrs, "line": line, "data": []}
                    records.append(rec)
                    fr["rec"] = rec
                elif name == "data":
                    parent = stack[-1] if stack else None
                    fr["owner"] = parent.get("rec") if parent else None
                    fr["collect"] = []
                    fr["complex"] = False
                if not m.group("empty"):
                    stack.append(fr)
                elif name == "data" and fr.get("owner") is not None:
                    fr["owner"]["data"].append((attrs.get("key"), "", False, line))
        line += m.group(0).count("\n")
    return records


# --------------------------------------------------------------------------
# typed values
def parse_value(t, s):
    """Return (ok, value, problem, warning) for text s declared as type t."""
    if t == "string":
        return True, s, None, None
    if s == "":
        return False, None, "empty value (NetworkX keeps '' as a string, igraph reads NaN, Gephi drops it)", None
    if s != s.strip():
        return False, None, ("surrounding whitespace (NetworkX raises on booleans; Java "
                             "Integer/Double.valueOf in Gephi reject it)"), None
    if t == "boolean":
        if s in ("true", "false", "1", "0"):
            return True, s in ("true", "1"), None, None
        if s.lower() in ("true", "false"):
            return True, s.lower() == "true", None, (f"'{s}' is not canonical; write 'true'/'false' "
                                                      "(XSD boolean is case-sensitive)")
        return False, None, ("not a boolean (true/false/1/0): NetworkX raises, Gephi silently reads "
                             "false, igraph accepts only some spellings"), None
    if t in ("int", "long"):
        if not INT_RE.match(s):
            if any(unicodedata.category(c) == "Nd" and not c.isascii() for c in s):
                return False, None, "non-ASCII digits (e.g. Arabic-Indic): igraph fails, NetworkX and Java accept", None
            return False, None, f"not an integer (ASCII digits with optional sign)", None
        v = int(s)
        lo, hi = INT32 if t == "int" else INT64
        if not lo <= v <= hi:
            return False, None, (f"out of range for {t} ({'32' if t == 'int' else '64'}-bit): "
                                 f"Java readers (Gephi, yEd) fail" + ("; declare long" if t == "int" else "")), None
        return True, v, None, None
    if t in ("float", "double"):
        if NONFINITE_RE.match(s):
            return False, None, ("non-finite value: spelled 'INF'/'NaN' in XSD but 'Infinity'/'NaN' in "
                                 "Java; Gephi rejects 'INF'; omit the <data> element instead"), None
        if not FLOAT_RE.match(s):
            if any(unicodedata.category(c) == "Nd" and not c.isascii() for c in s):
                return False, None, "non-ASCII digits (e.g. Arabic-Indic): NetworkX and igraph fail", None
            return False, None, "not a decimal number (digits, '.', optional exponent; no ',' or hex)", None
        v = float(s)
        if math.isinf(v):
            return False, None, "overflows a 64-bit double (igraph refuses the file)", None
        if t == "float" and abs(v) > FLOAT32_MAX:
            return False, None, "overflows a 32-bit float (Java readers get Infinity); declare double", None
        return True, v, None, None
    return False, None, f"undeclared type {t!r}", None


# --------------------------------------------------------------------------
# XSD validation
_XMLSCHEMA = None
_XMLLINT_VER = None


def xsd_xmllint(path):
    global _XMLLINT_VER
    exe = shutil.which("xmllint")
    if not exe:
        return None
    if _XMLLINT_VER is None:
        v = subprocess.run([exe, "--version"], capture_output=True, text=True)
        m = re.search(r"libxml version (\d+)", v.stderr + v.stdout)
        _XMLLINT_VER = f"libxml2 {m.group(1)}" if m else "unknown version"
    p = subprocess.run([exe, "--noout", "--nonet", "--schema", str(XSD_MAIN), str(path)],
                       capture_output=True, text=True, errors="replace")
    errs = [l.replace(str(path) + ":", "line ", 1).replace(f"{{{NS}}}", "g:").strip()
            for l in p.stderr.splitlines() if l.startswith(str(path) + ":")]
    return (f"xmllint ({_XMLLINT_VER})", p.returncode == 0, errs)


def xsd_xmlschema(path):
    global _XMLSCHEMA
    try:
        import xmlschema
    except ImportError:
        return None
    if _XMLSCHEMA is None:
        _XMLSCHEMA = xmlschema.XMLSchema(str(XSD_MAIN))
    errs = []
    try:
        for e in _XMLSCHEMA.iter_errors(str(path)):
            where = f"line {e.sourceline}: " if getattr(e, "sourceline", None) else ""
            errs.append(where + (e.reason or str(e)).split("\n")[0])
            if len(errs) >= 20:
                break
    except Exception as e:  # parse errors
        errs.append(f"{type(e).__name__}: {str(e).splitlines()[0]}")
    return (f"xmlschema {xmlschema.__version__}", not errs, errs)


# --------------------------------------------------------------------------
def check_file(path, args):
    rep = Report(path, args.max)
    raw = Path(path).read_bytes()

    # 1. encoding and characters -------------------------------------------------
    codec, enc_label = sniff_encoding(raw)
    text = None
    try:
        text = raw.decode(codec)
        rep.info("encoding", enc_label)
        if codec.lower().replace("-", "").replace("_", "") not in ("utf8", "utf8sig"):
            rep.warn("encoding", f"encoding {enc_label} - write UTF-8 (every client's default)")
    except (UnicodeDecodeError, LookupError) as e:
        rep.fail("encoding", f"bytes are not valid {enc_label}: {e}")
        text = raw.decode(codec if codec != "utf-8-sig" else "utf-8", errors="replace") \
            if not isinstance(e, LookupError) else raw.decode("utf-8", errors="replace")
    scan_chars(text, rep)
    if re.search(r"<!DOCTYPE", text[:4096]):
        rep.warn("doctype", "the file has a DOCTYPE: GraphML needs none, and hardened XML readers "
                            "refuse DTDs/entities")

    # 2. well-formedness (expat, the parser NetworkX uses) ----------------------------
    root = None
    try:
        root = ET.fromstring(raw)
        rep.info("xml", "well-formed")
    except ET.ParseError as e:
        ln, col = e.position
        why = re.sub(r": line \d+, column \d+$", "", str(e))
        rep.fail("malformed", f"not well-formed XML at line {ln} col {col + 1}: {why} "
                              "(NetworkX, igraph and every other XML reader stop here)")
        rep.info("xml", "NOT well-formed")

    # 3. XSD ---------------------------------------------------------------------------
    runs = []
    if root is None:
        rep.info("xsd", "not run (the file is not well-formed XML)")
    elif args.xsd in ("auto", "both", "xmllint"):
        r = xsd_xmllint(path)
        if r is None and args.xsd in ("both", "xmllint"):
            rep.fail("setup", "xmllint not found (apt-get install -y libxml2-utils)")
        elif r:
            runs.append(r)
    if root is not None and (args.xsd in ("both", "xmlschema") or (args.xsd == "auto" and not runs)):
        r = xsd_xmlschema(path)
        if r is None and args.xsd in ("both", "xmlschema"):
            rep.fail("setup", "python package xmlschema not installed; " + SETUP_HINT)
        elif r:
            runs.append(r)
    if root is not None and not runs and args.xsd == "auto":
        rep.fail("setup", "no XSD validator available (need xmllint or xmlschema); " + SETUP_HINT)
    if root is not None:
        rep.info("xsd", " ; ".join(f"{'valid' if ok else 'INVALID'} [{name}]" for name, ok, _ in runs)
                 or "not run")
    seen = set()
    for name, ok, errs in runs:
        for e in errs:
            key = re.sub(r"\s+", " ", e)
            if key in seen:
                continue
            seen.add(key)
            rep.fail("xsd", f"{name.split()[0]}: {short(e, 220)}")
        if not ok and not errs:
            rep.fail("xsd", f"{name.split()[0]}: invalid (no message)")

    # 4. structure and data (only if parsable) -----------------------------------------
    keys, node_ids, struct = {}, [], {"unsupported": False, "dangling": set(), "edges": 0,
                                      "dup_nodes": False}
    records = raw_records(text) if text is not None else []
    if root is not None:
        check_structure(root, records, keys, node_ids, struct, rep)

    # 5. clients ----------------------------------------------------------------------
    G = g = None
    nx_err = ig_err = None
    try:
        import networkx as nx
    except ImportError:
        rep.fail("setup", "networkx not installed; " + SETUP_HINT)
        nx = None
    try:
        import igraph as ig
    except ImportError:
        rep.fail("setup", "igraph (python-igraph) not installed; " + SETUP_HINT)
        ig = None
    uniq_nodes = len(set(node_ids))
    if nx is not None:
        with warnings.catch_warnings(record=True) as wl:
            warnings.simplefilter("always")
            try:
                G = nx.read_graphml(str(path))
            except Exception as e:
                nx_err = f"{type(e).__name__}: {short(str(e), 160)}"
        for w in wl:
            rep.warn("networkx", f"networkx warning: {short(str(w.message), 160)}")
        if G is not None:
            rep.info("networkx", f"{type(G).__name__}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges"
                                 f" (networkx {nx.__version__})")
        else:
            rep.info("networkx", f"cannot load ({nx_err})")
            rep.fail("load-networkx", f"networkx.read_graphml fails: {nx_err}")
    if ig is not None:
        with warnings.catch_warnings(record=True) as wl:
            warnings.simplefilter("always")
            try:
                g = ig.Graph.Read_GraphML(str(path))
            except Exception as e:
                ig_err = f"{type(e).__name__}: {short(str(e), 160)}"
        for w in wl:
            msg = re.sub(r"\s*Location: \S+", "", str(w.message))
            rep.warn("igraph", f"igraph warning: {short(msg, 160)}")
        if g is not None:
            rep.info("igraph", f"{'directed' if g.is_directed() else 'undirected'}: {g.vcount()} nodes, "
                               f"{g.ecount()} edges (python-igraph {ig.__version__})")
        else:
            rep.info("igraph", f"cannot load ({ig_err})")
            rep.fail("load-igraph", f"igraph Graph.Read_GraphML fails: {ig_err}")

    if root is not None:
        explain_counts(G, g, uniq_nodes, struct, rep)
        summarise(root, keys, records, rep)
        compare_values(G, g, keys, records, struct, rep)
    return rep


def check_structure(root, records, keys, node_ids, struct, rep):
    if root.tag != f"{{{NS}}}graphml":
        rep.fail("namespace", f"root element is <{root.tag}>, not <graphml xmlns=\"{NS}\"> "
                              "(NetworkX/igraph tolerate it, validating readers do not)")
    # keys ------------------------------------------------------------------------
    names_by_domain = defaultdict(dict)
    for el in root.iter():
        if local(el.tag) != "key":
            continue
        kid, dom = el.get("id"), el.get("for", "all")
        name, typ = el.get("attr.name"), el.get("attr.type")
        if kid in keys:
            rep.fail("dup-id", f"key id '{kid}' declared twice")
            continue
        dflt = None
        for c in el:
            if local(c.tag) == "default":
                dflt = "".join(c.itertext())
        keys[kid] = {"for": dom, "name": name, "type": typ, "default": dflt}
        label = f"key '{kid}'" + (f" ({name})" if name else "")
        if typ is None:
            rep.fail("key-type", f"{label} has no attr.type (igraph silently drops its values; "
                                 "NetworkX guesses string)")
        elif typ not in ALLOWED_TYPES:
            rep.fail("key-type", f"{label} attr.type='{typ}' is not one of {', '.join(ALLOWED_TYPES)} "
                                 "(NetworkX and igraph refuse the file; encode dates/lists as string)")
        if dom == "all":
            rep.fail("key-domain", f"{label} is for='all'{' (the default)' if el.get('for') is None else ''}: "
                                   "igraph ignores such keys and drops their values, Gephi applies them "
                                   "to nodes only; declare one key per domain")
        elif dom not in ("graph", "node", "edge"):
            rep.fail("key-domain", f"{label} for='{dom}' is not supported by NetworkX/igraph "
                                   "(use graph, node or edge)")
        elif dom == "graph":
            rep.warn("gephi", f"{label} is for='graph': Gephi's GraphML importer rejects graph-level "
                              "keys (logs an error, value dropped); NetworkX/igraph keep it")
        if name is None:
            rep.fail("attr-name", f"key '{kid}' has no attr.name (NetworkX refuses the file: "
                                  f"'Unknown key for id {kid}')")
        else:
            prev = names_by_domain[dom].get(name)
            if prev is not None:
                rep.fail("attr-name", f"attr.name '{name}' used by keys '{prev}' and '{kid}' for {dom}: "
                                      "igraph refuses the file, NetworkX silently keeps the last value")
            names_by_domain[dom][name] = kid
            if dom == "node" and name == "id":
                rep.fail("attr-name", f"node key '{kid}' is named 'id': igraph then cannot store the "
                                      "GraphML node ids (its vertex 'id' attribute); rename it")
            if dom == "edge" and name == "id":
                rep.warn("attr-name", f"edge key '{kid}' is named 'id': clashes with edge ids in igraph "
                                      "and Gephi drops it")
        gephi_check(kid, name, typ, dom, rep)
        if dflt is not None:
            rep.warn("default", f"{label} has a <default>: igraph applies it to elements without "
                                "<data>, NetworkX only stores it in G.graph['node_default'/'edge_default'];"
                                " write explicit values instead")
            if typ in ALLOWED_TYPES:
                ok, _, problem, _w = parse_value(typ, dflt)
                if not ok:
                    rep.fail("type", f"{label} <default> '{short(dflt)}': {problem}")

    # graphs, nodes, edges -----------------------------------------------------------
    top_graphs = [c for c in root if local(c.tag) == "graph"]
    if len(top_graphs) != 1:
        rep.fail("unsupported", f"{len(top_graphs)} top-level <graph> elements: NetworkX and igraph read "
                                "only the first" if top_graphs else "no <graph> element")
        struct["unsupported"] = True
    graph_ids = Counter(gr.get("id") for gr in root.iter() if local(gr.tag) == "graph" and gr.get("id"))
    for gid, n in graph_ids.items():
        if n > 1:
            rep.fail("dup-id", f"graph id '{gid}' used {n} times")
    for bad in ("hyperedge", "port", "endpoint", "locator"):
        cnt = sum(1 for el in root.iter() if local(el.tag) == bad)
        if cnt:
            rep.fail("unsupported", f"{cnt} <{bad}> element(s): ignored by NetworkX and igraph "
                                    "(hyperedges/ports/locators are not supported)")
            struct["unsupported"] = True

    def walk(el, depth_graph, parent_node):
        for c in el:
            t = local(c.tag)
            if t == "graph":
                if depth_graph >= 1:
                    rep.fail("unsupported", f"nested <graph> inside node '{parent_node}': NetworkX and "
                                            "igraph silently drop nested nodes and edges")
                    struct["unsupported"] = True
                yield from walk(c, depth_graph + 1, parent_node)
            elif t == "node":
                yield ("node", c, depth_graph)
                yield from walk(c, depth_graph, c.get("id"))
            elif t == "edge":
                yield ("edge", c, depth_graph)
                yield from walk(c, depth_graph, parent_node)
            elif t == "graphml":
                yield from walk(c, depth_graph, parent_node)

    first = top_graphs[0] if top_graphs else None
    edefault = first.get("edgedefault") if first is not None else None
    edges, edge_ids = [], Counter()
    seen_edge_before_node = False
    for kind, el, _d in walk(root, 0, None):
        if kind == "node":
            node_ids.append(el.get("id"))
            if edges:
                seen_edge_before_node = True
        else:
            edges.append(el)
            if el.get("id") is not None:
                edge_ids[el.get("id")] += 1
            d = el.get("directed")
            if d is not None and edefault is not None and (d == "true") != (edefault == "directed"):
                rep.fail("unsupported", f"edge {el.get('id') or ''} {el.get('source')}->{el.get('target')} "
                                        f"directed='{d}' in a graph with edgedefault='{edefault}': mixed "
                                        "graphs make NetworkX raise and igraph ignore the flag")
            if el.get("sourceport") or el.get("targetport"):
                rep.warn("unsupported", "edge uses sourceport/targetport: ignored by NetworkX and igraph")
    struct["edges"] = len(edges)
    for nid, n in Counter(node_ids).items():
        if nid is not None and n > 1:
            struct["dup_nodes"] = True
            rep.fail("dup-id", f"node id '{nid}' declared {n} times: NetworkX and igraph silently merge "
                               "them (last <data> wins)")
    for eid, n in edge_ids.items():
        if n > 1:
            rep.fail("dup-id", f"edge id '{eid}' used {n} times")
    clash = set(node_ids) & set(edge_ids)
    if clash:
        rep.warn("dup-id", f"ids used for both a node and an edge: {', '.join(sorted(clash)[:5])}")
    nodeset = set(node_ids)
    for el in edges:
        for end in ("source", "target"):
            ref = el.get(end)
            if ref not in nodeset:
                struct["dangling"].add(ref)
                rep.fail("dangling-edge", f"edge {el.get('id') or '(no id)'} {end}='{ref}' is not a declared "
                                          "node: NetworkX and igraph silently create an empty node for it")
    if seen_edge_before_node:
        rep.warn("order", "a <node> follows an <edge>: streaming readers (and igraph before 0.8) "
                          "expect all nodes first; write nodes first")
    if first is not None:
        check_parseinfo(first, node_ids, edges, edefault, rep)

    # data values -----------------------------------------------------------------
    noncanon = OrderedDict()
    for rec in records:
        owner = rec["kind"]
        seen = Counter()
        for key, val, complex_, line in rec["data"]:
            where = f"line {line} {owner} '{rec['attrs'].get('id', '')}'"
            seen[key] += 1
            if seen[key] == 2:
                rep.fail("dup-data", f"{where}: two <data key='{key}'> on one element (last one wins)")
            k = keys.get(key)
            if k is None:
                rep.fail("key-undeclared", f"{where}: <data key='{key}'> has no <key id='{key}'> "
                                           "(NetworkX refuses the file, igraph drops the value)")
                continue
            dom = k["for"]
            if dom not in ("all", owner) and not (owner == "graphml" and dom == "graphml"):
                rep.fail("key-domain", f"{where}: key '{key}' is declared for='{dom}' but used on <{owner}> "
                                       "(igraph drops the value)")
            if complex_:
                rep.warn("complex-data", f"{where}: <data key='{key}'> has child elements "
                                         "(e.g. yEd graphics); not type-checked")
                continue
            typ = k["type"]
            if typ not in ALLOWED_TYPES:
                continue
            ok, _v, problem, w = parse_value(typ, val)
            if not ok:
                rep.fail("type", f"{where}: {k['name'] or key} ({typ}) = '{short(val)}': {problem}")
            elif w:
                noncanon.setdefault((key, k["name"] or key, typ, w.split("'")[0] + w.split("'", 2)[-1]),
                                    []).append((line, val))
            if ok and typ == "long" and abs(_v) > EXACT_DOUBLE_INT:
                rep.fail("precision", f"{where}: {k['name'] or key} = {val} exceeds 2^53: igraph (and "
                                      "JavaScript tools) read numbers as doubles and change it to "
                                      f"{int(float(_v))}; export such ids as string")
            if typ == "string":
                string_warnings(where, k, val, rep)
    for (key, name, typ, _w), hits in noncanon.items():
        vals = sorted({v for _l, v in hits})
        rep.warn("type", f"{name} ({typ}): {len(hits)} value(s) spelled {'/'.join(repr(v) for v in vals[:4])} "
                         f"(first at line {hits[0][0]}); canonical is 'true'/'false' "
                         "(XSD boolean is case-sensitive; NetworkX writes 'True')")


def string_warnings(where, k, val, rep):
    nm = k["name"] or ""
    if val == "":
        rep.warn("empty", f"{where}: empty string for {nm}: NetworkX and Gephi drop it; omit the <data>")
        return
    if val != val.strip():
        rep.warn("whitespace", f"{where}: {nm} has leading/trailing whitespace "
                               f"('{short(val)}'); yEd/Gephi labels may trim it")
    if not unicodedata.is_normalized("NFC", val):
        rep.warn("unicode", f"{where}: {nm} is not NFC-normalised ('{short(val)}'); "
                            "searches in Gephi/yEd may miss it")
    if val.lower() == "null":
        rep.warn("gephi", f"{where}: {nm} is the string 'null': Gephi reads it as a missing value")
    if DATE_NAME_RE.search(nm) and not ISO_DATE_RE.match(val.strip()):
        rep.warn("date", f"{where}: {nm}='{short(val)}' is not ISO 8601 (YYYY-MM-DD[Thh:mm[:ss][Z|±hh:mm]]); "
                         "Gephi's time parser and pandas expect ISO 8601")
    if val.startswith("[") and val.endswith("]"):
        try:
            json.loads(val)
        except ValueError:
            rep.warn("list", f"{where}: {nm} looks like a list but is not valid JSON ('{short(val)}')")


def gephi_check(kid, name, typ, dom, rep):
    props = GEPHI_NODE_PROPS if dom == "node" else GEPHI_EDGE_PROPS if dom == "edge" else {}
    hit = props.get(kid) or props.get(name or "")
    if not hit:
        return
    via = f"key id '{kid}'" if kid in props else f"attr.name '{name}'"
    if hit == "label" and (name or "").lower() not in ("label", "edgelabel"):
        rep.warn("gephi", f"{via} makes Gephi use '{name}' as the {dom} LABEL (Gephi treats key ids "
                          "'d3'/'d7' as yEd labels); pick another key id")
    elif hit in ("x", "y", "z", "size", "weight") and typ not in ("int", "long", "float", "double"):
        rep.warn("gephi", f"{via} is read by Gephi as the {dom} {hit} (a number) but is declared {typ}")
    elif hit in ("r", "g", "b") and typ not in ("int", "long"):
        rep.warn("gephi", f"{via} is read by Gephi as a colour channel (integer 0-255) but is declared {typ}")
    elif hit == "id":
        rep.warn("gephi", f"{via}: Gephi maps edge attributes named id/edgeid to its edge id and drops the value")


def check_parseinfo(graph, node_ids, edges, edefault, rep):
    a = graph.attrib
    if not any(k.startswith("parse.") for k in a) and not any(
            k.startswith("parse.") for n in graph.iter() for k in n.attrib):
        return
    nn, ne = len(node_ids), len(edges)
    if "parse.nodes" in a and a["parse.nodes"] != str(nn):
        rep.fail("parseinfo", f"parse.nodes={a['parse.nodes']} but the graph has {nn} nodes")
    if "parse.edges" in a and a["parse.edges"] != str(ne):
        rep.fail("parseinfo", f"parse.edges={a['parse.edges']} but the graph has {ne} edges")
    if a.get("parse.nodeids") == "canonical":
        bad = [i for i, nid in enumerate(node_ids) if nid != f"n{i}"]
        if bad:
            rep.fail("parseinfo", f"parse.nodeids='canonical' but node #{bad[0]} has id '{node_ids[bad[0]]}' "
                                  f"(expected 'n{bad[0]}')")
    if a.get("parse.edgeids") == "canonical":
        bad = [i for i, e in enumerate(edges) if e.get("id") != f"e{i}"]
        if bad:
            rep.fail("parseinfo", f"parse.edgeids='canonical' but edge #{bad[0]} has id "
                                  f"'{edges[bad[0]].get('id')}' (expected 'e{bad[0]}')")
    indeg, outdeg = Counter(), Counter()
    for e in edges:
        outdeg[e.get("source")] += 1
        indeg[e.get("target")] += 1
        if edefault == "undirected":
            outdeg[e.get("target")] += 1
            indeg[e.get("source")] += 1
    if "parse.maxindegree" in a and a["parse.maxindegree"] != str(max(indeg.values(), default=0)):
        rep.fail("parseinfo", f"parse.maxindegree={a['parse.maxindegree']} but the maximum is "
                              f"{max(indeg.values(), default=0)}")
    if "parse.maxoutdegree" in a and a["parse.maxoutdegree"] != str(max(outdeg.values(), default=0)):
        rep.fail("parseinfo", f"parse.maxoutdegree={a['parse.maxoutdegree']} but the maximum is "
                              f"{max(outdeg.values(), default=0)}")
    for n in graph.iter():
        if local(n.tag) != "node":
            continue
        for attr, deg in (("parse.indegree", indeg), ("parse.outdegree", outdeg)):
            if attr in n.attrib and n.attrib[attr] != str(deg[n.get("id")]):
                rep.fail("parseinfo", f"node '{n.get('id')}' {attr}={n.attrib[attr]} but it is {deg[n.get('id')]}")


def explain_counts(G, g, uniq_nodes, struct, rep):
    if struct["unsupported"]:
        return
    phantom = len(struct["dangling"] - {None})
    for name, n_nodes, n_edges, code in (
            ("networkx", G.number_of_nodes() if G is not None else None,
             G.number_of_edges() if G is not None else None, "load-networkx"),
            ("igraph", g.vcount() if g is not None else None, g.ecount() if g is not None else None,
             "load-igraph")):
        if n_nodes is None:
            continue
        if n_nodes != uniq_nodes and n_nodes != uniq_nodes + phantom:
            rep.fail(code, f"{name} sees {n_nodes} nodes, the file declares {uniq_nodes}")
        if n_edges != struct["edges"]:
            rep.fail(code, f"{name} sees {n_edges} edges, the file has {struct['edges']}")


def pick_type_key(keys, dom):
    cands = [(kid, k) for kid, k in keys.items() if k["for"] in (dom, "all")]
    for rx in TYPE_NAME_RES:
        for kid, k in cands:
            if rx.search(k["name"] or kid):
                return kid, k
    return None, None


def summarise(root, keys, records, rep):
    desc = [f"{kid}({k['for']}:{k['name'] or '-'}:{k['type'] or '?'})" for kid, k in keys.items()]
    rep.info(f"keys ({len(keys)})", " ".join(desc) if desc else "none")
    for dom, label in (("node", "node types"), ("edge", "edge types")):
        kid, k = pick_type_key(keys, dom)
        if kid is None:
            rep.info(label, f"(no {dom} key named like type/kind/category/label)")
            continue
        vals = Counter()
        for rec in records:
            if rec["kind"] != dom:
                continue
            for key, val, complex_, _l in rec["data"]:
                if key == kid and not complex_:
                    vals[val] += 1
        total = sum(1 for r in records if r["kind"] == dom)
        missing = total - sum(vals.values())
        top = ", ".join(f"{short(v, 30)}×{c}" for v, c in vals.most_common(8))
        more = f", +{len(vals) - 8} more" if len(vals) > 8 else ""
        miss = f", {missing} without" if missing > 0 else ""
        rep.info(label, f"by '{k['name'] or kid}': {top or 'no values'}{more}{miss}")


def compare_values(G, g, keys, records, struct, rep):
    """Compare every <data> value as NetworkX and igraph read it with the raw text."""
    if struct["unsupported"] or struct["dup_nodes"]:
        rep.info("round-trip", "skipped (" + ("duplicate node ids" if struct["dup_nodes"] else
                                               "structures NetworkX/igraph do not read") + ")")
        return
    nodes = [r for r in records if r["kind"] == "node"]
    edges = [r for r in records if r["kind"] == "edge"]
    graphs = [r for r in records if r["kind"] == "graph"]
    stats = Counter()
    mism = defaultdict(list)

    def expect(key, text):
        k = keys.get(key)
        if k is None or k["type"] not in ALLOWED_TYPES:
            return None
        ok, v, _p, _w = parse_value(k["type"], text)
        if not ok or (k["type"] == "string" and text == ""):
            return None
        return k["name"] or key, k["type"], v

    # -- networkx
    nx_edge_data = {}
    if G is not None:
        directed = G.is_directed()
        groups = defaultdict(list)
        for r in edges:
            s, t = r["attrs"].get("source"), r["attrs"].get("target")
            groups[(s, t) if directed else frozenset((s, t))].append(r)
        for pair, recs in groups.items():
            s, t = recs[0]["attrs"].get("source"), recs[0]["attrs"].get("target")
            if not G.has_edge(s, t):
                continue
            if G.is_multigraph():
                datas = list(G[s][t].values())
            else:
                datas = [G[s][t]]
            for r, d in zip(recs, datas):
                nx_edge_data[id(r)] = d

    # -- igraph vertex/edge lookup
    ig_vid = None
    if g is not None:
        if "id" in g.vs.attributes():
            ig_vid = {v["id"]: v.index for v in g.vs}
        if ig_vid is None or len(ig_vid) != g.vcount():
            ig_vid = {r["attrs"].get("id"): i for i, r in enumerate(nodes)}
        if g.ecount() == len(edges) and edges and "id" in g.es.attributes():
            want = [r["attrs"].get("id") for r in edges]
            got = g.es["id"]
            if any(w is not None for w in want) and [w or "" for w in want] != [x or "" for x in got]:
                import igraph as ig
                bad = next(i for i, (w, x) in enumerate(zip(want, got)) if (w or "") != (x or ""))
                rep.warn("igraph-bug", f"python-igraph {ig.__version__} reads edge #{bad} id as "
                                       f"'{got[bad]}' instead of '{want[bad]}' (reader bug observed in "
                                       "1.0.0; 0.11.8 reads edge ids correctly): igraph users should not "
                                       "rely on the edge 'id' attribute")

    def ig_attrs(kind, idx):
        if g is None:
            return None
        try:
            if kind == "node":
                return g.vs[idx].attributes()
            if kind == "edge":
                return g.es[idx].attributes()
            return {a: g[a] for a in g.attributes()}
        except Exception:
            return None

    def same(typ, want, got):
        if typ == "string":
            return isinstance(got, str) and got == want
        if typ == "boolean":
            return isinstance(got, bool) and got == want
        if typ in ("int", "long"):
            if isinstance(got, bool):
                return False
            if isinstance(got, int):
                return got == want
            if isinstance(got, float):
                return not math.isnan(got) and got.is_integer() and int(got) == want
            return False
        if isinstance(got, (int, float)) and not isinstance(got, bool):
            return float(got) == float(want)
        return False

    plan = []
    for r in nodes:
        nid = r["attrs"].get("id")
        nxd = G.nodes[nid] if G is not None and nid in G.nodes else None
        igd = ig_attrs("node", ig_vid.get(nid)) if g is not None and ig_vid.get(nid) is not None else None
        plan.append(("node", r, nxd, igd))
    for i, r in enumerate(edges):
        igd = None
        if g is not None and g.ecount() == len(edges):
            e = g.es[i]
            src = g.vs[e.source]["id"] if "id" in g.vs.attributes() else None
            tgt = g.vs[e.target]["id"] if "id" in g.vs.attributes() else None
            ends = {r["attrs"].get("source"), r["attrs"].get("target")}
            if src is None or {src, tgt} == ends:
                igd = e.attributes()
            else:
                mism["igraph"].append(f"edge #{i} endpoints {src}->{tgt} differ from the file")
        plan.append(("edge", r, nx_edge_data.get(id(r)) if G is not None else None, igd))
    for r in graphs[:1]:
        plan.append(("graph", r, G.graph if G is not None else None, ig_attrs("graph", 0)))

    for kind, r, nxd, igd in plan:
        rid = r["attrs"].get("id") or f"{r['attrs'].get('source')}->{r['attrs'].get('target')}"
        for key, text, complex_, line in r["data"]:
            if complex_:
                continue
            e = expect(key, text)
            if e is None:
                continue
            name, typ, want = e
            stats["values"] += 1
            if typ == "string":
                stats["strings"] += 1
                if not text.isascii():
                    stats["nonascii"] += 1
                if ARABIC_RE.search(text):
                    stats["arabic"] += 1
            for client, d in (("networkx", nxd), ("igraph", igd)):
                if d is None:
                    if (client == "networkx" and G is not None) or (client == "igraph" and g is not None):
                        mism[client].append(f"line {line} {kind} '{rid}': element not found")
                    continue
                if name not in d:
                    mism[client].append(f"line {line} {kind} '{rid}' {name}: value missing")
                    continue
                got = d[name]
                if not same(typ, want, got):
                    if typ == "long" and client == "igraph" and abs(want) > EXACT_DOUBLE_INT:
                        continue  # already reported as FAIL[precision]
                    mism[client].append(f"line {line} {kind} '{rid}' {name}: file has {short(repr(want), 60)}, "
                                        f"{client} read {short(repr(got), 60)}")
    for client, lst in mism.items():
        for m in lst:
            rep.fail("roundtrip", f"{client}: {m}")
    loaded = [c for c, x in (("networkx", G), ("igraph", g)) if x is not None]
    if loaded:
        bad = {c: len(mism.get(c, [])) for c in loaded}
        rep.info("round-trip", f"{stats['values']} data values ({stats['strings']} strings, "
                               f"{stats['nonascii']} non-ASCII, {stats['arabic']} Arabic) compared with "
                               + ", ".join(f"{c}: {'identical' if bad[c] == 0 else str(bad[c]) + ' differ'}"
                                           for c in loaded))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Check GraphML files the way Gephi/yEd/Cytoscape/NetworkX/"
                                             "igraph users will read them.")
    ap.add_argument("files", nargs="+", help=".graphml files")
    ap.add_argument("--xsd", choices=("auto", "xmllint", "xmlschema", "both"), default="auto",
                    help="XSD validator: auto (default) = xmllint if installed, else the xmlschema "
                         "package; both = run both and report each")
    ap.add_argument("--strict", action="store_true", help="warnings also fail a file")
    ap.add_argument("--max", type=int, default=8, help="max messages shown per code (default 8)")
    args = ap.parse_args(argv)
    if not XSD_MAIN.is_file():
        print(f"check-graphml: schema not found at {XSD_MAIN.relative_to(HERE.parent)}", file=sys.stderr)
        return 2
    n_fail = 0
    setup_problem = False
    for f in args.files:
        if not Path(f).is_file():
            print(f"=== {f}\n  RESULT     : FAIL (file not found)")
            n_fail += 1
            continue
        rep = check_file(f, args)
        text, failed = rep.render(args.strict)
        print(text, flush=True)
        n_fail += failed
        setup_problem |= "setup" in rep.fails
    print(f"--- {len(args.files)} file(s): {len(args.files) - n_fail} PASS, {n_fail} FAIL")
    if setup_problem:
        print("check-graphml: setup incomplete; " + SETUP_HINT, file=sys.stderr)
        return 2
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
