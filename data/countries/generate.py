#!/usr/bin/env python3
"""Generate data/countries/countries.jsonl from Debian's iso-codes package.

Reads the ISO 3166-1 list (iso_3166-1.json) and its French, Arabic and German
gettext catalogs (iso_3166-1.mo), and writes one interchange-v1 entity line per
country, sorted by alpha-3 code. Standard library only; deterministic output.

    apt-get install iso-codes && python3 data/countries/generate.py
"""

import argparse
import gettext
import json
import os
import subprocess
import sys
import unicodedata

DEFAULT_ISO_CODES_DIR = "/usr/share/iso-codes/json"
DEFAULT_LOCALE_DIR = "/usr/share/locale"
DOMAIN = "iso_3166-1"
LANGS = ("fr", "ar", "de")
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUTPUT = os.path.join(HERE, "countries.jsonl")

# Translations in iso-codes that are known to be wrong. They are ignored, and
# the next candidate (the translation of `name`) is used instead.
#   (lang, English msgid): translation that is rejected
REJECTED = {
    # iso-codes 4.15.0: common_name "Moldova" is translated as "Maldives".
    ("ar", "Moldova"): "المالديف",
}


class _Untranslated(gettext.NullTranslations):
    """Fallback that signals a missing translation with None."""

    def gettext(self, message):
        return None


def clean(s):
    return unicodedata.normalize("NFC", s).strip()


def die(msg):
    print(f"generate.py: error: {msg}", file=sys.stderr)
    sys.exit(1)


def load_catalog(locale_dir, lang):
    path = os.path.join(locale_dir, lang, "LC_MESSAGES", DOMAIN + ".mo")
    if not os.path.isfile(path):
        die(f"{path} not found; iso-codes is not installed "
            f"(run `apt-get install iso-codes`) or --locale-dir is wrong")
    with open(path, "rb") as f:
        t = gettext.GNUTranslations(f)
    t.add_fallback(_Untranslated())

    def tr(msgid):
        if msgid is None:
            return None
        s = t.gettext(msgid)
        if not s or not s.strip():
            return None
        s = clean(s)
        if REJECTED.get((lang, msgid)) == s:
            return None
        return s

    return tr


def iso_codes_version(iso_codes_dir):
    """Version of the data read: iso-codes' pkg-config file, else dpkg."""
    parts = []
    pc = os.path.normpath(os.path.join(iso_codes_dir, "..", "..", "pkgconfig", "iso-codes.pc"))
    try:
        with open(pc, encoding="utf-8") as f:
            for line in f:
                if line.startswith("Version:"):
                    parts.append(line.split(":", 1)[1].strip())
                    break
    except OSError:
        pass
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "iso-codes"],
            capture_output=True, text=True, check=False,
        )
        if out.returncode == 0 and out.stdout.strip():
            parts.append(f"Debian package {out.stdout.strip()}")
    except OSError:
        pass
    return ", ".join(parts) if parts else "unknown"


def build_record(entry, catalogs, fallbacks):
    common = clean(entry["common_name"]) if entry.get("common_name") else None
    name = clean(entry["name"])
    official = clean(entry["official_name"]) if entry.get("official_name") else None
    canonical = common or name

    # English msgids, in the order they are tried/listed.
    raw = {k: entry.get(k) for k in ("common_name", "name", "official_name")}

    names = {"en": canonical}
    aliases = [name, official]
    for lang in LANGS:
        tr = catalogs[lang]
        t_common = tr(raw["common_name"])
        t_name = tr(raw["name"])
        t_official = tr(raw["official_name"])
        # Localized display name: translated common name, else translated
        # name, else translated official name, else English (as gettext does).
        names[lang] = t_common or t_name or t_official or canonical
        if not (t_common or t_name or t_official):
            fallbacks.append(f"{entry['alpha_3']}:{lang}")
        aliases += [t_common, t_name, t_official]

    seen = {canonical}
    out_aliases = []
    for a in aliases:
        if a and a not in seen:
            seen.add(a)
            out_aliases.append(a)

    alpha3 = clean(entry["alpha_3"])
    return {
        "kind": "entity",
        "key": alpha3,
        "type": "country",
        "name": canonical,
        "aliases": out_aliases,
        "props": {
            "iso2": clean(entry["alpha_2"]),
            "iso3": alpha3,
            "numeric": clean(entry["numeric"]),
            "name_en": names["en"],
            "name_fr": names["fr"],
            "name_ar": names["ar"],
            "name_de": names["de"],
        },
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iso-codes-dir", default=DEFAULT_ISO_CODES_DIR,
                    help=f"directory holding iso_3166-1.json (default {DEFAULT_ISO_CODES_DIR})")
    ap.add_argument("--locale-dir", default=DEFAULT_LOCALE_DIR,
                    help=f"directory holding LANG/LC_MESSAGES/{DOMAIN}.mo (default {DEFAULT_LOCALE_DIR})")
    ap.add_argument("--output", default=DEFAULT_OUTPUT,
                    help="output file (default: countries.jsonl next to this script)")
    args = ap.parse_args(argv)

    src = os.path.join(args.iso_codes_dir, "iso_3166-1.json")
    if not os.path.isfile(src):
        die(f"{src} not found; iso-codes is not installed "
            f"(run `apt-get install iso-codes`) or --iso-codes-dir is wrong")
    with open(src, encoding="utf-8") as f:
        entries = json.load(f)["3166-1"]

    catalogs = {lang: load_catalog(args.locale_dir, lang) for lang in LANGS}
    fallbacks = []
    records = sorted((build_record(e, catalogs, fallbacks) for e in entries),
                     key=lambda r: r["key"])

    keys = [r["key"] for r in records]
    if len(set(keys)) != len(keys):
        die("duplicate alpha-3 codes in iso_3166-1.json")

    data = "".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records
    ).encode("utf-8")
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.output)

    untranslated = sorted(fallbacks)
    print(f"generate.py: wrote {len(records)} countries to {args.output} "
          f"(iso-codes {iso_codes_version(args.iso_codes_dir)})", file=sys.stderr)
    if untranslated:
        print(f"generate.py: no translation, English used: {' '.join(untranslated)}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
