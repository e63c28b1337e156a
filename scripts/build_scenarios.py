#!/usr/bin/env python3
"""Build scenarios/baseline.toml from the shared, sourced mineral data.

Usage (from the repository root):

    python3 scripts/build_scenarios.py            # writes scenarios/baseline.toml
    python3 scripts/build_scenarios.py --check    # exits 1 if the file on disk differs

Inputs: ../shared/data/minerals/*.csv (and raw/eu_crm2023_eu_sourcing_shares_utf8.csv).
Python 3 standard library only; the output is deterministic (sorted, no timestamps).

Rules this script keeps (see docs/data.md):
  * never invent a figure: every number comes from a CSV row, and every fact carries the
    row's source and a quality mapped from the row's quality column;
  * one data layer per mineral x stage (USGS MCS 2026 > EU CRM 2023 study > approximate
    secondary), never two layers in one mineral x stage x year;
  * aggregate rows ("Other countries", "World total", "other") are not countries and are
    skipped; shares are of the listed countries only;
  * rows with an empty share, a share of 0 or a "<0.1" share are skipped (listed in comments);
  * alignment is an analyst's assumption, kept in one table with a rationale per row.
"""

import csv
import json
import os
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.normpath(os.path.join(REPO, "..", "shared", "data", "minerals"))
OUT = os.path.join(REPO, "scenarios", "baseline.toml")

REFERENCE_YEAR = 2025
SUM_LIMIT = 100.5  # 100 + share_sum_tolerance

# --------------------------------------------------------------------------------------
# Identifiers
# --------------------------------------------------------------------------------------

# mineral id, display name, CSV key in production_shares.csv (None: no share rows)
MINERALS = [
    ("lithium", "Lithium", "lithium"),
    ("cobalt", "Cobalt", "cobalt"),
    ("nickel", "Nickel", "nickel"),
    ("graphite", "Graphite (natural)", "graphite_natural"),
    ("rare_earths", "Rare earths (total REO)", "rare_earths"),
    ("cerium", "Cerium", "rare_earths:Ce"),
    ("dysprosium", "Dysprosium", "rare_earths:Dy"),
    ("gadolinium", "Gadolinium", "rare_earths:Gd"),
    ("lanthanum", "Lanthanum", "rare_earths:La"),
    ("neodymium", "Neodymium", "rare_earths:Nd"),
    ("praseodymium", "Praseodymium", "rare_earths:Pr"),
    ("samarium", "Samarium", "rare_earths:Sm"),
    ("terbium", "Terbium", "rare_earths:Tb"),
    ("yttrium", "Yttrium", "rare_earths:Y"),
    ("lutetium", "Lutetium", None),
    ("scandium", "Scandium", None),
    ("gallium", "Gallium", "gallium"),
    ("germanium", "Germanium", "germanium"),
    ("tungsten", "Tungsten", "tungsten"),
    ("antimony", "Antimony", "antimony"),
    ("fluorspar", "Fluorspar", "fluorspar"),
    ("molybdenum", "Molybdenum", "molybdenum"),
    ("manganese", "Manganese", "manganese"),
    ("copper", "Copper", "copper"),
    ("uranium", "Uranium", "uranium"),
    ("coking_coal", "Coking (metallurgical) coal", "coal_coking"),
]
CSV_TO_MINERAL = {csv_key: mid for mid, _, csv_key in MINERALS if csv_key}
MINERAL_ORDER = {mid: i for i, (mid, _, _) in enumerate(MINERALS)}
NO_DATA_MINERALS = {
    "lutetium": "declared only because China's April 2025 licensing (event cn-hree-licensing-2025) "
    "names it; no share data in the shared data set",
    "scandium": "declared only because China's April 2025 licensing (event cn-hree-licensing-2025) "
    "names it; no share data in the shared data set",
}

STAGE_MAP = {
    "mining": "mining",
    "refining": "refining",
    "processing/refining": "refining",
    "primary low-purity refinery": "refining",
}

# CSV country name -> ISO 3166 alpha-3. Names as spelled by USGS, the EU study, WNA,
# and the USGS import-source tables. "(est.)" suffixes (WNA) are stripped first.
ISO = {
    "Afghanistan": "AFG", "Albania": "ALB", "Argentina": "ARG", "Armenia": "ARM",
    "Australia": "AUS", "Austria": "AUT", "Azerbaijan": "AZE", "Bahrain": "BHR",
    "Belgium": "BEL", "Bolivia": "BOL", "Bosnia and Herzegovina": "BIH", "Botswana": "BWA",
    "Brazil": "BRA", "Bulgaria": "BGR", "Burma": "MMR", "Myanmar": "MMR", "Burundi": "BDI",
    "Canada": "CAN", "Cape Verde": "CPV", "Chile": "CHL", "China": "CHN", "Colombia": "COL",
    "Congo": "COG", "Congo (Kinshasa)": "COD", "Congo, D.R.": "COD", "Costa Rica": "CRI",
    "Cote d'Ivoire": "CIV", "Croatia": "HRV", "Cuba": "CUB", "Cyprus": "CYP", "Czechia": "CZE",
    "Denmark": "DNK", "Dominican Republic": "DOM", "Ecuador": "ECU", "Egypt": "EGY",
    "Eritrea": "ERI", "Estonia": "EST", "Finland": "FIN", "France": "FRA", "Gabon": "GAB",
    "Georgia": "GEO", "Germany": "DEU", "Ghana": "GHA", "Greece": "GRC", "Greenland": "GRL",
    "Guatemala": "GTM", "Honduras": "HND", "Hong Kong": "HKG", "Hungary": "HUN", "India": "IND",
    "Indonesia": "IDN", "Iran": "IRN", "Ireland": "IRL", "Israel": "ISR", "Italy": "ITA", "Japan": "JPN",
    "Kazakhstan": "KAZ", "Kenya": "KEN", "Korea, North": "PRK", "Korea, Republic of": "KOR",
    "Korea, South": "KOR", "Republic of Korea": "KOR", "Kosovo": "XKX", "Kuwait": "KWT",
    "Kyrgyzstan": "KGZ", "Laos": "LAO", "Latvia": "LVA", "Lithuania": "LTU",
    "Luxembourg": "LUX", "Madagascar": "MDG", "Malaysia": "MYS", "Mali": "MLI",
    "Mauritania": "MRT", "Mexico": "MEX", "Mongolia": "MNG", "Morocco": "MAR",
    "Mozambique": "MOZ", "Namibia": "NAM", "Netherlands": "NLD", "New Caledonia": "NCL",
    "New Zealand": "NZL", "Niger": "NER", "Nigeria": "NGA", "North Macedonia": "MKD",
    "Norway": "NOR", "Oman": "OMN", "Pakistan": "PAK", "Panama": "PAN",
    "Papua New Guinea": "PNG", "Peru": "PER", "Philippines": "PHL", "Poland": "POL",
    "Portugal": "PRT", "Romania": "ROU", "Russia": "RUS", "Rwanda": "RWA",
    "San Marino": "SMR", "Saudi Arabia": "SAU", "Senegal": "SEN", "Serbia": "SRB",
    "Singapore": "SGP", "Slovakia": "SVK", "Slovenia": "SVN", "South Africa": "ZAF",
    "Spain": "ESP", "Sri Lanka": "LKA", "Sudan": "SDN", "Sweden": "SWE", "Switzerland": "CHE",
    "Taiwan": "TWN", "Tajikistan": "TJK", "Tanzania": "TZA", "Thailand": "THA",
    "Turkey": "TUR", "Türkiye": "TUR", "Uganda": "UGA", "Ukraine": "UKR",
    "United Arab Emirates": "ARE", "United Kingdom": "GBR", "United States": "USA",
    "Uruguay": "URY", "Uzbekistan": "UZB", "Venezuela": "VEN", "Vietnam": "VNM",
    "Zambia": "ZMB", "Zimbabwe": "ZWE",
}
AGGREGATES = {"Other countries", "World total", "World total (rounded)", "other",
              "Top-3 refining countries combined"}

# ISO id -> (display name, name in governance_wgi2022.csv or None if absent there)
NAMES = {
    "AFG": ("Afghanistan", "Afghanistan"), "ALB": ("Albania", "Albania"),
    "ARE": ("United Arab Emirates", "United Arab Emirates"), "ARG": ("Argentina", "Argentina"),
    "ARM": ("Armenia", "Armenia"), "AUS": ("Australia", "Australia"),
    "AUT": ("Austria", "Austria"), "AZE": ("Azerbaijan", "Azerbaijan"),
    "BDI": ("Burundi", "Burundi"), "BEL": ("Belgium", "Belgium"),
    "BGR": ("Bulgaria", "Bulgaria"), "BHR": ("Bahrain", "Bahrain"),
    "BIH": ("Bosnia and Herzegovina", "Bosnia and Herzegovina"), "BOL": ("Bolivia", "Bolivia"),
    "BRA": ("Brazil", "Brazil"), "BWA": ("Botswana", "Botswana"), "CAN": ("Canada", "Canada"),
    "CHE": ("Switzerland", "Switzerland"), "CHL": ("Chile", "Chile"), "CHN": ("China", "China"),
    "CIV": ("Côte d'Ivoire", "Côte d'Ivoire"),
    "COD": ("Democratic Republic of the Congo", "Congo, Dem. Rep."),
    "COG": ("Republic of the Congo", "Congo, Rep."), "COL": ("Colombia", "Colombia"),
    "CPV": ("Cabo Verde", "Cape Verde"), "CRI": ("Costa Rica", "Costa Rica"),
    "CUB": ("Cuba", "Cuba"), "CYP": ("Cyprus", "Cyprus"), "CZE": ("Czechia", "Czech Republic"),
    "DEU": ("Germany", "Germany"), "DNK": ("Denmark", "Denmark"),
    "DOM": ("Dominican Republic", "Dominican Republic"), "ECU": ("Ecuador", "Ecuador"),
    "EGY": ("Egypt", "Egypt, Arab Rep."), "ERI": ("Eritrea", "Eritrea"),
    "ESP": ("Spain", "Spain"), "EST": ("Estonia", "Estonia"), "FIN": ("Finland", "Finland"),
    "FRA": ("France", "France"), "GAB": ("Gabon", "Gabon"),
    "GBR": ("United Kingdom", "United Kingdom"), "GEO": ("Georgia", "Georgia"),
    "GHA": ("Ghana", "Ghana"), "GRC": ("Greece", "Greece"), "GRL": ("Greenland", "Greenland"),
    "GTM": ("Guatemala", "Guatemala"), "HKG": ("Hong Kong (China)", "Hong Kong"),
    "HND": ("Honduras", "Honduras"), "HRV": ("Croatia", "Croatia"),
    "HUN": ("Hungary", "Hungary"), "IDN": ("Indonesia", "Indonesia"), "IND": ("India", "India"),
    "IRL": ("Ireland", "Ireland"), "IRN": ("Iran", "Iran, Islamic Rep."),
    "ISR": ("Israel", "Israel"),
    "ITA": ("Italy", "Italy"), "JPN": ("Japan", "Japan"), "KAZ": ("Kazakhstan", "Kazakhstan"),
    "KEN": ("Kenya", "Kenya"), "KGZ": ("Kyrgyzstan", "Kyrgyz Republic"),
    "KOR": ("Republic of Korea", "Korea, Rep."), "KWT": ("Kuwait", "Kuwait"),
    "LAO": ("Laos", "Lao PDR"), "LKA": ("Sri Lanka", "Sri Lanka"),
    "LTU": ("Lithuania", "Lithuania"), "LUX": ("Luxembourg", "Luxembourg"),
    "LVA": ("Latvia", "Latvia"), "MAR": ("Morocco", "Morocco"),
    "MDG": ("Madagascar", "Madagascar"), "MEX": ("Mexico", "Mexico"),
    "MKD": ("North Macedonia", "North Macedonia"), "MLI": ("Mali", "Mali"),
    "MMR": ("Myanmar (Burma)", "Myanmar"), "MNG": ("Mongolia", "Mongolia"),
    "MOZ": ("Mozambique", "Mozambique"), "MRT": ("Mauritania", "Mauritania"),
    "MYS": ("Malaysia", "Malaysia"), "NAM": ("Namibia", "Namibia"),
    "NCL": ("New Caledonia (France)", None), "NER": ("Niger", "Niger"),
    "NGA": ("Nigeria", "Nigeria"), "NLD": ("Netherlands", "Netherlands"),
    "NOR": ("Norway", "Norway"), "NZL": ("New Zealand", "New Zealand"), "OMN": ("Oman", "Oman"),
    "PAK": ("Pakistan", "Pakistan"), "PAN": ("Panama", "Panama"), "PER": ("Peru", "Peru"),
    "PHL": ("Philippines", "Philippines"), "PNG": ("Papua New Guinea", "Papua New Guinea"),
    "POL": ("Poland", "Poland"), "PRK": ("North Korea", "Korea, Dem. Rep."),
    "PRT": ("Portugal", "Portugal"), "ROU": ("Romania", "Romania"),
    "RUS": ("Russia", "Russian Federation"), "RWA": ("Rwanda", "Rwanda"),
    "SAU": ("Saudi Arabia", "Saudi Arabia"), "SDN": ("Sudan", "Sudan"),
    "SEN": ("Senegal", "Senegal"), "SGP": ("Singapore", "Singapore"),
    "SMR": ("San Marino", "San Marino"), "SRB": ("Serbia", "Serbia"),
    "SVK": ("Slovakia", "Slovak Republic"), "SVN": ("Slovenia", "Slovenia"),
    "SWE": ("Sweden", "Sweden"), "THA": ("Thailand", "Thailand"),
    "TJK": ("Tajikistan", "Tajikistan"), "TUR": ("Türkiye", "Türkiye"),
    "TWN": ("Taiwan", "Taiwan"), "TZA": ("Tanzania", "Tanzania"), "UGA": ("Uganda", "Uganda"),
    "UKR": ("Ukraine", "Ukraine"), "URY": ("Uruguay", "Uruguay"),
    "USA": ("United States", "United States"), "UZB": ("Uzbekistan", "Uzbekistan"),
    "VEN": ("Venezuela", "Venezuela, RB"), "VNM": ("Vietnam", "Vietnam"),
    "XKX": ("Kosovo", "Kosovo"), "ZAF": ("South Africa", "South Africa"),
    "ZMB": ("Zambia", "Zambia"), "ZWE": ("Zimbabwe", "Zimbabwe"),
}

# Landlocked states (geography, not data): only those we are sure of.
LANDLOCKED = {
    "AFG", "ARM", "AUT", "BDI", "BOL", "BWA", "CZE", "HUN", "KAZ", "KGZ", "LAO", "LUX",
    "MKD", "MLI", "MNG", "NER", "RWA", "SMR", "SRB", "SVK", "TJK", "UGA", "UZB", "XKX",
    "ZMB", "ZWE",
}

# Always declared, whether or not they appear in a share row.
ALWAYS = {"USA", "MNG", "CHN", "RUS", "JPN", "KOR"}

EU27 = {
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
}

# --------------------------------------------------------------------------------------
# Sources (shortened, keeping publication + URL/DOI)
# --------------------------------------------------------------------------------------

USGS_SLUG = {
    "lithium": "lithium", "cobalt": "cobalt", "nickel": "nickel", "graphite": "graphite",
    "rare_earths": "rare-earths", "gallium": "gallium", "germanium": "germanium",
    "tungsten": "tungsten", "antimony": "antimony", "fluorspar": "fluorspar",
    "molybdenum": "molybdenum", "manganese": "manganese", "copper": "copper",
}


def usgs_source(mineral):
    slug = USGS_SLUG[mineral]
    return (f"USGS Mineral Commodity Summaries 2026, "
            f"https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-{slug}.pdf "
            f"(transcribed in github.com/pranava0x0/usgs-mineral-commodity-summaries)")


EU_SOURCE = ("European Commission (2023), Study on the critical raw materials for the EU 2023 – "
             "Final Report, Annex 7 global supply shares, doi:10.2873/725585 (extracted in "
             "github.com/erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets)")
EU_SOURCING_SOURCE = ("European Commission (2023), Study on the critical raw materials for the EU "
                      "2023 – Final Report, EU sourcing shares, doi:10.2873/725585 (extracted in "
                      "github.com/erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets)")
WNA_SOURCE = ("World Nuclear Association, World Uranium Mining Production (updated Aug 2023), "
              "https://world-nuclear.org/information-library/nuclear-fuel-cycle/mining-of-uranium/"
              "world-uranium-mining-production.aspx")
SECONDARY_SOURCE = ("github.com/OwenCoonahan/critical-minerals-tracker RESEARCH.md (secondary "
                    "compilation, Feb 2026, from USGS MCS 2024/2025, IEA, DOE; round numbers)")
WGI_SOURCE = ("World Bank Worldwide Governance Indicators 2023 update (Kaufmann & Kraay), mean of "
              "the six 2022 estimates normalised to 0–1, via github.com/lukaszgajewski/pytradeshifts "
              "data/stability_index/")


def short_source(src):
    """Shorten a CSV source string, keeping publication and URL/DOI."""
    if src.startswith("USGS Mineral Commodity Summaries 2026"):
        # keep the chapter URL
        url = src.split(",", 1)[1].split(";")[0].strip()
        return ("USGS Mineral Commodity Summaries 2026, " + url +
                " (transcribed in github.com/pranava0x0/usgs-mineral-commodity-summaries)")
    if src.startswith("European Commission (2023) Study"):
        return EU_SOURCE
    if src.startswith("World Nuclear Association"):
        return WNA_SOURCE
    if src.startswith("OwenCoonahan/critical-minerals-tracker"):
        return SECONDARY_SOURCE
    return src


def quality_of(q):
    """Map a CSV quality column to solid | approximate | derived | claim."""
    ql = q.strip().lower()
    if "derived" in ql:
        return "derived"
    if ql.startswith("approximate") or ql.startswith("company target") or ql == "descriptive":
        return "approximate"
    if ql.startswith("solid"):
        return "solid"
    if "claim" in ql:
        return "claim"
    raise ValueError(f"unmapped quality {q!r}")


# --------------------------------------------------------------------------------------
# TOML helpers
# --------------------------------------------------------------------------------------


def s(v):
    """TOML basic string (JSON string syntax is valid TOML for these characters)."""
    return json.dumps(v, ensure_ascii=False)


def num(v):
    """A percent or other decimal as a TOML float with at least one decimal."""
    f = float(v)
    out = repr(round(f, 4))
    if "e" in out or "E" in out:
        raise ValueError(v)
    if "." not in out:
        out += ".0"
    return out


def table(name, fields):
    lines = [f"[[{name}]]"]
    for k, v in fields:
        if v is None:
            continue
        lines.append(f"{k} = {v}")
    return "\n".join(lines)


def wrap_comment(text, width=96, prefix="# "):
    words = text.split()
    lines, cur = [], ""
    for w in words:
        if cur and len(prefix) + len(cur) + 1 + len(w) > width:
            lines.append(prefix + cur)
            cur = w
        else:
            cur = (cur + " " + w) if cur else w
    if cur:
        lines.append(prefix + cur)
    return "\n".join(lines)


def banner(title):
    bar = "# " + "=" * 94
    return f"{bar}\n# {title}\n{bar}"


def read_csv(name):
    with open(os.path.join(DATA, name), newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def iso(name):
    n = name.replace(" (est.)", "").strip()
    if n not in ISO:
        raise SystemExit(f"unmapped country name {name!r}: add it to ISO in {__file__}")
    return ISO[n]


# --------------------------------------------------------------------------------------
# Shares: choose one layer per mineral x stage
# --------------------------------------------------------------------------------------

def layer_of(row):
    src = row["source"]
    if src.startswith("USGS"):
        return "usgs"
    if src.startswith("European Commission"):
        return "eu"
    if src.startswith("World Nuclear"):
        return "wna"
    if src.startswith("OwenCoonahan"):
        return "secondary"
    if src.startswith("IEA"):
        return "iea"
    raise ValueError(src)


LAYER_PREFERENCE = ["usgs", "wna", "eu", "secondary"]  # IEA single-country rows never used
# Explicit overrides of the preference order (the brief: copper mining from the EU study,
# because the USGS transcription holds only the refinery column for copper).
LAYER_OVERRIDE = {("copper", "mining"): "eu"}

LAYER_LABEL = {
    "usgs": "USGS MCS 2026 country table (2024, and 2025 estimates); share of the USGS "
            "\"World total (rounded)\"",
    "eu": "EU CRM 2023 study, Annex 7 global supply shares; year 2020 stands for the "
          "study's reference period (multi-year average, mostly 2016–2020)",
    "wna": "World Nuclear Association, 2022 mine production (tU)",
    "secondary": "approximate secondary compilation (round numbers, circa 2023); no USGS or "
                 "EU-study figure exists for this stage",
}


def year_of(layer, raw):
    if layer == "usgs":
        return int(raw[:4]), ("estimate" if raw.endswith("e") else None)
    if layer == "eu":
        return 2020, "EU study reference period, multi-year average mostly 2016–2020"
    if layer == "wna":
        return int(raw), None
    if layer == "secondary":
        assert raw == "~2023", raw
        return 2023, "circa 2023 (secondary, round number)"
    raise ValueError(layer)


def build_shares():
    rows = read_csv("production_shares.csv")
    groups = defaultdict(lambda: defaultdict(list))  # (mineral, stage) -> layer -> rows
    for r in rows:
        if r["mineral"] not in CSV_TO_MINERAL:
            continue  # e.g. the IEA multi-mineral average row
        if r["year"].startswith("2030"):
            continue  # projections are not shares of an observed year
        m = CSV_TO_MINERAL[r["mineral"]]
        st = STAGE_MAP[r["stage"]]
        groups[(m, st)][layer_of(r)].append(r)

    out = []  # list of dicts per mineral x stage
    for (m, st) in sorted(groups, key=lambda k: (MINERAL_ORDER[k[0]], k[1])):
        layers = groups[(m, st)]
        chosen = LAYER_OVERRIDE.get((m, st))
        if chosen is None:
            chosen = next(l for l in LAYER_PREFERENCE if l in layers)
        unused = sorted(l for l in layers if l != chosen)
        facts, skipped, aggregates = [], [], []
        for r in layers[chosen]:
            name = r["country"]
            year, note = year_of(chosen, r["year"])
            if name in AGGREGATES:
                aggregates.append((year, name, r["share_pct"]))
                continue
            raw = r["share_pct"].strip()
            if raw == "" or raw.startswith("<") or float(raw) == 0.0:
                why = {"": "no share (quantity " + (r["quantity"] or "n/a") + ")"}.get(
                    raw, "share " + (raw or "0"))
                skipped.append((year, name, why))
                continue
            notes = []
            if note:
                notes.append(note)
            if "(est.)" in name:
                notes.append("WNA estimate")
            if chosen == "eu":
                t = r["source"].rsplit("t=", 1)[-1]
                notes.append(f"EU trade factor t={t}")
            if chosen == "secondary" and r["unit"]:
                notes.append(r["unit"])
            if chosen == "usgs" and r["quantity"] and r["unit"]:
                notes.append(f"{r['quantity']} {r['unit']}".replace(
                    " (reserves column = mine reserves, kt)", "").replace(
                    " (reserves in thousand t)", ""))
            facts.append({
                "mineral": m, "stage": st, "country": iso(name), "year": year,
                "percent": float(raw), "raw": raw,
                "source": short_source(r["source"]), "quality": quality_of(r["quality"]),
                "note": "; ".join(notes) if notes else None,
            })
        # one row per country and year
        seen = set()
        for f in facts:
            k = (f["country"], f["year"])
            if k in seen:
                raise SystemExit(f"duplicate share {m} {st} {k}")
            seen.add(k)
        sums = defaultdict(float)
        for f in facts:
            sums[f["year"]] += f["percent"]
        rescaled = []
        for y, tot in sorted(sums.items()):
            if round(tot, 6) <= SUM_LIMIT:
                continue
            # USGS rounds the world total, so the listed countries can exceed it. The year's
            # shares are then recomputed from the USGS quantities against the sum of all
            # country rows (incl. "Other countries"), and marked derived.
            if chosen != "usgs":
                raise SystemExit(f"shares of {m} {st} {y} sum to {tot:.1f} > {SUM_LIMIT}")
            yrows = [r for r in layers[chosen] if year_of(chosen, r["year"])[0] == y]
            world = [r for r in yrows if r["country"].startswith("World total")][0]
            denom = sum(float(r["quantity"]) for r in yrows
                        if not r["country"].startswith("World total")
                        and r["quantity"].replace(".", "", 1).isdigit())
            qty = {iso(r["country"]): float(r["quantity"]) for r in yrows
                   if r["country"] not in AGGREGATES
                   and r["quantity"].replace(".", "", 1).isdigit()}
            for f in facts:
                if f["year"] != y:
                    continue
                pct = round(100.0 * qty[f["country"]] / denom, 1)
                f["note"] = (f["note"] + "; " if f["note"] else "") + (
                    f"DERIVED share {qty[f['country']]:.0f} / {denom:.0f} (sum of the USGS country "
                    f"rows incl. 'Other countries'); the USGS share vs the rounded world total "
                    f"{world['quantity']} was {f['raw']}")
                f["raw"] = f"{pct:.1f}"
                f["percent"] = pct
                f["quality"] = "derived"
            rescaled.append((y, tot, world["quantity"], denom))
            sums[y] = sum(f["percent"] for f in facts if f["year"] == y)
            if round(sums[y], 6) > SUM_LIMIT:
                raise SystemExit(f"shares of {m} {st} {y} still sum to {sums[y]:.1f}")
        facts = [f for f in facts if f["percent"] > 0]
        facts.sort(key=lambda f: (f["year"], -f["percent"], f["country"]))
        out.append({"mineral": m, "stage": st, "layer": chosen, "unused": unused,
                    "facts": facts, "skipped": sorted(skipped), "aggregates": sorted(aggregates),
                    "rescaled": rescaled,
                    "sums": dict(sorted(sums.items()))})
    return out


# --------------------------------------------------------------------------------------
# Other data-driven facts
# --------------------------------------------------------------------------------------

# USGS reserves: unit factor to tonnes, per mineral (from the units stated in sources.md
# and the unit column of production_shares.csv).
RESERVE_FACTOR = {
    "lithium": 1, "cobalt": 1, "nickel": 1, "graphite": 1, "rare_earths": 1, "tungsten": 1,
    "antimony": 1, "fluorspar": 1000, "molybdenum": 1000, "manganese": 1000, "copper": 1000,
}
RESERVE_UNIT = {
    "lithium": "t Li content", "cobalt": "t Co content", "nickel": "t Ni content",
    "graphite": "t graphite", "rare_earths": "t REO", "tungsten": "t W content",
    "antimony": "t Sb content", "fluorspar": "t fluorspar (USGS: thousand t)",
    "molybdenum": "t Mo content (USGS column in thousand t; unit to be checked in the PDF)",
    "manganese": "t Mn content (USGS: thousand t)",
    "copper": "t Cu content, mine reserves (USGS: thousand t)",
}


def build_reserves():
    rows = read_csv("production_shares.csv")
    out, skipped = [], []
    for r in rows:
        if not r["source"].startswith("USGS") or r["year"] != "2025e":
            continue
        m = CSV_TO_MINERAL[r["mineral"]]
        if m not in RESERVE_FACTOR or r["country"] in AGGREGATES:
            continue
        c = iso(r["country"])
        if c == "MNG":
            continue  # Mongolia's reserves come from mongolia.csv (same USGS figures)
        raw = r["reserves"].strip()
        if raw in ("", "NA", "Small") or raw.startswith(">"):
            if raw:
                skipped.append((m, c, raw))
            continue
        t = int(raw) * RESERVE_FACTOR[m]
        if t == 0:
            skipped.append((m, c, "0"))
            continue
        out.append({"mineral": m, "country": c, "tonnes": t, "unit": RESERVE_UNIT[m],
                    "source": short_source(r["source"]), "quality": quality_of(r["quality"])})
    out.sort(key=lambda d: (MINERAL_ORDER[d["mineral"]], -d["tonnes"], d["country"]))
    return out, sorted(skipped)


def build_reliance():
    rows = read_csv("import_reliance.csv")
    out, gaps = [], []
    for r in rows:
        m = CSV_TO_MINERAL[r["mineral"]]
        if r["year"] not in ("2024", "2025e"):
            continue
        raw = r["nir_raw"].strip()
        notes = []
        if r["year"].endswith("e"):
            notes.append("estimate")
        if raw == "E":
            pct = 0.0
            notes.append("net exporter (USGS 'E'); written as 0")
        elif raw.startswith(">"):
            pct = float(raw[1:])
            notes.append(f"lower bound (USGS '{raw}')")
        else:
            try:
                pct = float(raw)
            except ValueError:
                gaps.append((m, r["year"], raw))
                continue
        notes.append("basis: " + r["basis"])
        out.append({"mineral": m, "year": int(r["year"][:4]), "percent": pct,
                    "note": "; ".join(notes), "source": short_source(r["source"]),
                    "quality": quality_of(r["quality"])})
    out.sort(key=lambda d: (MINERAL_ORDER[d["mineral"]], d["year"]))
    return out, gaps


# One USGS import category per mineral (the broadest or most refined-material one).
US_IMPORT_CATEGORY = {
    "lithium": "all forms",
    "cobalt": "metal, oxide, and salts",
    "nickel": "primary nickel",
    "graphite": "natural graphite",
    "rare_earths": "compounds and metals",
    "gallium": "metal",
    "germanium": "combined total",
    "copper": "refined copper",
    "manganese": "Mn contained in principal imports",
    "tungsten": "ores, concentrates, and other forms",
    "antimony": "total metal and oxide",
    "fluorspar": "all grades",
    "molybdenum": "total",
}


def build_us_imports():
    rows = read_csv("us_import_sources.csv")
    out = []
    for r in rows:
        m = CSV_TO_MINERAL[r["mineral"]]
        if US_IMPORT_CATEGORY.get(m) != r["category"] or r["country"] in AGGREGATES:
            continue
        out.append({"consumer": "USA", "mineral": m, "country": iso(r["country"]),
                    "percent": float(r["share_pct"]),
                    "note": f"USGS import sources {r['period']} (average), category: {r['category']}",
                    "source": short_source(r["source"]), "quality": quality_of(r["quality"])})
    tot = defaultdict(float)
    for d in out:
        tot[d["mineral"]] += d["percent"]
    for m, v in tot.items():
        if round(v, 6) > SUM_LIMIT:
            raise SystemExit(f"US import sources of {m} sum to {v}")
    out.sort(key=lambda d: (MINERAL_ORDER[d["mineral"]], -d["percent"], d["country"]))
    return out


# EU sourcing table (raw/eu_crm2023_eu_sourcing_shares_utf8.csv): material -> the lode minerals
# it stands for. The "Heavy Rare earths Elements" group row stands for the heavy REEs the
# scenario declares; rare_earths (total REO) has no row of its own (see build_eu_sourcing).
EU_SOURCING_MATERIAL = {
    "Antimony": ["antimony"], "Cobalt": ["cobalt"], "Coking coal": ["coking_coal"],
    "Copper": ["copper"], "Fluorspar": ["fluorspar"], "Gallium": ["gallium"],
    "Germanium": ["germanium"], "Lithium": ["lithium"], "Manganese": ["manganese"],
    "Molybdenum": ["molybdenum"], "Natural Graphite": ["graphite"], "Nickel": ["nickel"],
    "Tungsten": ["tungsten"], "Cerium": ["cerium"], "Lanthanum": ["lanthanum"],
    "Neodymium": ["neodymium"], "Praseodymium": ["praseodymium"], "Samarium": ["samarium"],
    "Yttrium": ["yttrium"], "Scandium": ["scandium"],
    "Heavy Rare earths Elements": ["dysprosium", "gadolinium", "terbium", "lutetium"],
}
# Rare-earth materials of the table: rare_earths (total) takes its IR from all of them.
EU_REE_MATERIALS = {"Cerium", "Lanthanum", "Neodymium", "Praseodymium", "Samarium", "Yttrium",
                    "Heavy Rare earths Elements"}
STAGE_WORD = {"E": "extraction", "P": "processing"}


def pct_of(raw):
    """'62%' -> 62.0 (the table writes whole percent, a few decimals, '%' mostly present)."""
    return float(raw.strip().rstrip("%"))


def build_eu_sourcing():
    """EU27 import reliance (derived) and import sources from the EU study's sourcing table.

    Per material and stage, the table gives the shares of EU sourcing (EU domestic supply +
    imports) by country. IR(stage) = 100 - sum of the shares of EU member states. reliance has
    no stage key, so the stage with the higher IR is kept (extraction on a tie) and the other is
    named in the note. import_source rows are written for that same stage, non-EU countries
    only, unless the whole-percent rows sum past SUM_LIMIT (never rescaled).
    """
    rows = read_csv(os.path.join("raw", "eu_crm2023_eu_sourcing_shares_utf8.csv"))
    by = defaultdict(lambda: defaultdict(list))  # material -> stage -> rows
    for r in rows:
        if r["Material"] in EU_SOURCING_MATERIAL:
            by[r["Material"]][r["Stage"]].append(r)

    def domestic(rs):
        members = [(iso(r["Country"]), pct_of(r["Share"])) for r in rs
                   if iso(r["Country"]) in EU27]
        return round(sum(p for _, p in members), 4), sorted(members, key=lambda x: (-x[1], x[0]))

    def describe(stage, rs):
        dom, members = domestic(rs)
        who = ", ".join(f"{c} {num(p)}" for c, p in members) if members else "none"
        return (f"stage {stage} ({STAGE_WORD[stage]}): EU member states {who}; "
                f"IR = 100 - {num(dom)} = {num(100 - dom)}")

    reliance, imports, members_out, over = [], [], [], []
    for mat in sorted(by, key=lambda m: MINERAL_ORDER[EU_SOURCING_MATERIAL[m][0]]):
        stages = by[mat]
        irs = {st: 100 - domestic(rs)[0] for st, rs in stages.items()}
        chosen = max(sorted(stages), key=lambda st: (irs[st], st == "E"))
        others = [describe(st, stages[st]) for st in sorted(stages) if st != chosen]
        note = ("DERIVED: IR = 100 - sum of the shares of EU member states (EU domestic supply) "
                "in the EU study's EU-sourcing table; the rest of EU sourcing, including any "
                "share the table does not list, counts as imports. " + describe(chosen, stages[chosen]))
        if others:
            note += ("; kept as the higher of the stages (reliance has no stage key); other "
                     + "; ".join(others))
        if mat == "Heavy Rare earths Elements":
            note += "; from the table's heavy-rare-earths group row (no per-element row)"
        note += ("; EU study reference period (mostly 2016–2020), written as year 2020; the "
                 "study's own IR (net imports over apparent consumption) is not in the shared data")
        for m in EU_SOURCING_MATERIAL[mat]:
            reliance.append({"consumer": "EU27", "mineral": m, "year": 2020,
                             "percent": round(irs[chosen], 4), "note": note,
                             "source": EU_SOURCING_SOURCE, "quality": "derived"})
        rs = stages[chosen]
        rows_out = []
        for r in rs:
            c = iso(r["Country"])
            if c in EU27:
                for m in EU_SOURCING_MATERIAL[mat]:
                    members_out.append((m, c, r["Share"].rstrip("%")))
                continue
            for m in EU_SOURCING_MATERIAL[mat]:
                rows_out.append({
                    "consumer": "EU27", "mineral": m, "country": c,
                    "percent": pct_of(r["Share"]),
                    "note": f"share of EU sourcing ({STAGE_WORD[chosen]} stage, the stage whose IR "
                            f"the EU27 reliance keeps; EU domestic supply + imports), EU study "
                            f"reference period (mostly 2016–2020); trade factor t={r['t']}"
                            + ("; heavy-rare-earths group row" if mat.startswith("Heavy") else ""),
                    "source": EU_SOURCING_SOURCE, "quality": "derived"})
        tot = defaultdict(float)
        for d in rows_out:
            tot[d["mineral"]] += d["percent"]
        for m, v in sorted(tot.items()):
            if round(v, 6) > SUM_LIMIT:
                over.append((m, round(v, 1)))
        bad = {m for m, _ in over}
        imports += [d for d in rows_out if d["mineral"] not in bad]
    # rare_earths (total REO): the table has no total row. Every rare-earth row of it (the heavy
    # group and Ce, La, Nd, Pr, Sm, Y, both stages) has no EU member state, so IR = 100.
    ree_dom = [(mat, st, domestic(rs)[0]) for mat in sorted(EU_REE_MATERIALS)
               for st, rs in sorted(by[mat].items())]
    assert all(d == 0 for _, _, d in ree_dom), ree_dom
    reliance.append({
        "consumer": "EU27", "mineral": "rare_earths", "year": 2020, "percent": 100.0,
        "note": ("DERIVED: the EU study's EU-sourcing table has no rare-earths total row; none of "
                 "its rare-earth rows (" + ", ".join(f"{m} {st}" for m, st, _ in ree_dom) +
                 ") lists an EU member state, so IR = 100 - 0 = 100; EU study reference period "
                 "(mostly 2016–2020), written as year 2020"),
        "source": EU_SOURCING_SOURCE, "quality": "derived"})
    reliance.sort(key=lambda d: MINERAL_ORDER[d["mineral"]])
    imports.sort(key=lambda d: (MINERAL_ORDER[d["mineral"]], -d["percent"], d["country"]))
    members_out = sorted(set(members_out), key=lambda x: (MINERAL_ORDER[x[0]], x[1]))
    return reliance, imports, members_out, sorted(set(over), key=lambda x: MINERAL_ORDER[x[0]])


def build_governance():
    rows = read_csv("governance_wgi2022.csv")
    return {r["country"]: r["wgi2022_mean6_normalised_0_1"] for r in rows}


def build_mongolia():
    rows = read_csv("mongolia.csv")
    by = {(r["topic"], r["item"], r["year"]): r for r in rows}
    return rows, by


def build_events():
    rows = read_csv("events.csv")
    return rows


# --------------------------------------------------------------------------------------
# Hand-written parts
# --------------------------------------------------------------------------------------

HEADER = """\
# lode scenario: baseline
#
# GENERATED by scripts/build_scenarios.py from ../shared/data/minerals/*.csv — do not edit
# by hand; change the script or the data and re-run it. docs/data.md explains every mapping
# choice, assumption and gap.
#
# Percentages are percent (93.8 = 93.8 %). Every fact carries a `source` and a `quality`:
#   solid       official statistics (USGS, EU study, WNA, government releases)
#   approximate secondary compilations, company targets, analyst assumptions (said so)
#   derived     computed from sourced figures (the computation is in `note`)
#   claim       unsourced figures from news articles (only in seed-claims.toml)
"""

SCENARIO = """\
[scenario]
name = "baseline"
description = "Critical-mineral supply picture for the United States (and the EU27 where sourced) with Mongolia as a partner: world production shares by mining and refining stage (USGS MCS 2026, 2025 estimates; EU CRM 2023 study where USGS lacks a stage), US net import reliance and import sources, Mongolia's deposits, trade and transit, the US–Mongolia partnerships, and China's export controls in force on the as_of date."
reference_year = 2025
as_of = 2026-11-25
"""

PARAMS = """\
# Thresholds the rules use. These are the documented defaults, written out so an analyst can
# see and change them in one place (docs/scenario-format.md, [params]).
[params]
hhi_moderate = 1500          # HHI points; US merger guidelines 2010
hhi_high = 2500              # HHI points; US merger guidelines 2010
dominant_share = 50.0        # percent of a stage held by one supplier
single_supplier_cap = 65.0   # percent; EU CRM Act (Regulation (EU) 2024/1252) benchmark
reliance_high = 50.0         # percent net import reliance
reliance_critical = 90.0     # percent net import reliance
aligned_supply_min = 25.0    # percent of world output held by aligned countries, below which exposure can be critical
option_min_share = 1.0       # percent; smallest share of an aligned diversification option
transit_dependence = 10.0    # percent of a landlocked country's exports crossing a neighbour
export_dependence = 50.0     # percent of a partner's exports going to one rival
indicator_growth = 10.0      # percent rise (or fall) of a partnership indicator that counts as growth (or decline)
share_sum_tolerance = 0.5    # percent above 100 that shares of one mineral x stage x year may sum to
"""

STAGES = """\
[[stage]]
id = "mining"
name = "Mining / extraction (EU study stage E)"

[[stage]]
id = "refining"
name = "Refining / processing (EU study stage P; USGS refinery production)"
"""

# Alignment of each declared country from the US point of view.
# level, rationale
A_NATO = "NATO member (North Atlantic Treaty, mutual-defence commitment)"
A_NEUTRAL = ("no US defence treaty, free-trade agreement or Major Non-NATO Ally designation, and "
             "not named as a competitor in the 2022 US National Security Strategy (analyst default)")
US_ALIGNMENT = {
    "CHN": ("rival", "named the United States' most consequential strategic competitor in the "
                     "2022 US National Security Strategy"),
    "RUS": ("rival", "named an immediate threat to the international order in the 2022 US National "
                     "Security Strategy; broad US sanctions since 2022"),
    "PRK": ("rival", "comprehensive US and UN sanctions; its weapons programmes are named as a "
                     "threat in the 2022 US National Security Strategy"),
    "IRN": ("rival", "comprehensive US sanctions; named as a threat in the 2022 US National "
                     "Security Strategy"),
    "CUB": ("rival", "comprehensive US embargo (Cuban Assets Control Regulations); US State "
                     "Sponsor of Terrorism designation"),
    "HKG": ("rival", "special administrative region of China; US special treatment ended by "
                     "Executive Order 13936 (2020)"),
    "JPN": ("ally", "US–Japan Treaty of Mutual Cooperation and Security (1960); Minerals Security "
                    "Partnership member"),
    "KOR": ("ally", "US–ROK Mutual Defense Treaty (1953); Minerals Security Partnership member"),
    "AUS": ("ally", "ANZUS Treaty (1951); Minerals Security Partnership member"),
    "PHL": ("ally", "US–Philippines Mutual Defense Treaty (1951)"),
    "THA": ("ally", "treaty ally under the Manila Pact (1954); Major Non-NATO Ally"),
    "NZL": ("ally", "ANZUS Treaty party (1951); Major Non-NATO Ally"),
    "CAN": ("ally", A_NATO + "; USMCA; Minerals Security Partnership member"),
    "GBR": ("ally", A_NATO + "; Minerals Security Partnership member"),
    "FRA": ("ally", A_NATO + "; Minerals Security Partnership member"),
    "DEU": ("ally", A_NATO + "; Minerals Security Partnership member"),
    "ITA": ("ally", A_NATO + "; Minerals Security Partnership member"),
    "NOR": ("ally", A_NATO + "; Minerals Security Partnership member"),
    "FIN": ("ally", A_NATO + " since 2023; Minerals Security Partnership member"),
    "SWE": ("ally", A_NATO + " since 2024; Minerals Security Partnership member"),
    "EST": ("ally", A_NATO + "; Minerals Security Partnership member"),
    "GRL": ("ally", "part of the Kingdom of Denmark, a NATO member"),
    "NCL": ("ally", "French territory; France is a NATO member"),
    "MNG": ("partner", "US–Mongolia Strategic Partnership (2019); 'Third Neighbor' policy; "
                       "critical-minerals MOU (2023)"),
    "IND": ("partner", "Minerals Security Partnership member (joined 2023)"),
    "MEX": ("partner", "USMCA free-trade partner"),
    "CHL": ("partner", "US–Chile Free Trade Agreement (2004)"),
    "PER": ("partner", "US–Peru Trade Promotion Agreement (2009)"),
    "COL": ("partner", "US–Colombia Trade Promotion Agreement (2012); Major Non-NATO Ally (2022)"),
    "MAR": ("partner", "US–Morocco Free Trade Agreement (2006); Major Non-NATO Ally"),
    "GTM": ("partner", "CAFTA-DR free-trade partner"),
    "HND": ("partner", "CAFTA-DR free-trade partner"),
    "DOM": ("partner", "CAFTA-DR free-trade partner"),
    "CRI": ("partner", "CAFTA-DR free-trade partner"),
    "PAN": ("partner", "US–Panama Trade Promotion Agreement (2012)"),
    "SGP": ("partner", "US–Singapore Free Trade Agreement (2004)"),
    "BHR": ("partner", "US–Bahrain Free Trade Agreement (2006); Major Non-NATO Ally"),
    "OMN": ("partner", "US–Oman Free Trade Agreement (2009)"),
    "KWT": ("partner", "Major Non-NATO Ally (2004)"),
    "ISR": ("partner", "US–Israel Free Trade Agreement (1985); Major Non-NATO Ally (1987)"),
    "ARG": ("partner", "Major Non-NATO Ally (1998)"),
    "BRA": ("partner", "Major Non-NATO Ally (2019)"),
    "PAK": ("partner", "Major Non-NATO Ally (2004)"),
    "KEN": ("partner", "Major Non-NATO Ally (2024)"),
    "TWN": ("partner", "treated as a Major Non-NATO Ally under US law (2003); Taiwan Relations Act"),
    "VNM": ("partner", "US–Vietnam Comprehensive Strategic Partnership (2023)"),
    "IDN": ("partner", "US–Indonesia Comprehensive Strategic Partnership (2023)"),
    "UKR": ("partner", "US–Ukraine bilateral minerals agreement (Reconstruction Investment Fund, "
                       "2025)"),
}
# Alignment of each declared country from the EU27's point of view (an analyst's general
# knowledge, like the US table; check the agreements' status before relying on a row).
E_NATO = "NATO ally of 23 EU member states"
E_RMP = "EU strategic partnership on raw materials (memorandum of understanding, {})"
E_NEUTRAL = ("no EU free-trade or association agreement in force, no EU raw-materials strategic "
             "partnership, and not an EU-designated rival or under broad EU sanctions "
             "(analyst default)")
EU_ALIGNMENT = {
    "CHN": ("rival", "'partner, economic competitor and systemic rival' (EU–China Strategic "
                     "Outlook, 2019); the rival facet governs supply-risk analysis"),
    "RUS": ("rival", "EU sanctions packages since 2014, broadened from 2022"),
    "PRK": ("rival", "EU and UN sanctions (non-proliferation)"),
    "IRN": ("rival", "EU restrictive measures (non-proliferation, human rights); "
                     "military support to Russia"),
    "HKG": ("rival", "special administrative region of China, treated with China"),
    "MNG": ("partner", "EU–Mongolia Partnership and Cooperation Agreement (in force 2017)"),
    "USA": ("ally", E_NATO + "; EU–US Trade and Technology Council"),
    "CAN": ("ally", E_NATO + "; CETA (2017); " + E_RMP.format(2021)),
    "GBR": ("ally", E_NATO + "; EU–UK Trade and Cooperation Agreement (2021)"),
    "NOR": ("ally", E_NATO + "; European Economic Area; " + E_RMP.format(2024)),
    "TUR": ("ally", E_NATO + "; EU–Türkiye customs union (1995); EU candidate country"),
    "MKD": ("ally", E_NATO + "; Stabilisation and Association Agreement (2004); EU candidate"),
    "UKR": ("partner", "EU–Ukraine Association Agreement incl. DCFTA (2017); "
                       + E_RMP.format(2021) + "; EU candidate country"),
    "KAZ": ("partner", E_RMP.format(2022) + "; Enhanced Partnership and Cooperation Agreement (2020)"),
    "NAM": ("partner", E_RMP.format(2022) + "; SADC–EU Economic Partnership Agreement (2016)"),
    "ARG": ("partner", E_RMP.format(2023)),
    "CHL": ("partner", E_RMP.format(2023) + "; EU–Chile Association Agreement (2003) and "
                       "Interim Trade Agreement"),
    "COD": ("partner", E_RMP.format(2023)),
    "ZMB": ("partner", E_RMP.format(2023)),
    "GRL": ("partner", E_RMP.format(2023) + "; overseas country associated with the EU"),
    "RWA": ("partner", E_RMP.format(2024)),
    "UZB": ("partner", E_RMP.format(2024)),
    "SRB": ("partner", E_RMP.format(2024) + "; Stabilisation and Association Agreement (2013); "
                       "EU candidate country"),
    "AUS": ("partner", E_RMP.format(2024)),
    "JPN": ("partner", "EU–Japan Economic Partnership Agreement (2019)"),
    "KOR": ("partner", "EU–Korea Free Trade Agreement (2011)"),
    "MEX": ("partner", "EU–Mexico Global Agreement (2000)"),
    "PER": ("partner", "EU–Colombia/Peru/Ecuador Trade Agreement (2013)"),
    "COL": ("partner", "EU–Colombia/Peru/Ecuador Trade Agreement (2013)"),
    "ECU": ("partner", "EU–Colombia/Peru/Ecuador Trade Agreement (Ecuador, 2017)"),
    "GTM": ("partner", "EU–Central America Association Agreement, trade pillar (2013)"),
    "PAN": ("partner", "EU–Central America Association Agreement, trade pillar (2013)"),
    "DOM": ("partner", "CARIFORUM–EU Economic Partnership Agreement (2008)"),
    "SGP": ("partner", "EU–Singapore Free Trade Agreement (2019)"),
    "VNM": ("partner", "EU–Vietnam Free Trade Agreement (2020)"),
    "NZL": ("partner", "EU–New Zealand Free Trade Agreement (2024)"),
    "ZAF": ("partner", "SADC–EU Economic Partnership Agreement (2016)"),
    "MOZ": ("partner", "SADC–EU Economic Partnership Agreement (Mozambique, 2018)"),
    "MDG": ("partner", "ESA–EU interim Economic Partnership Agreement (2012)"),
    "ZWE": ("partner", "ESA–EU interim Economic Partnership Agreement (2012)"),
    "CIV": ("partner", "EU–Côte d'Ivoire stepping-stone Economic Partnership Agreement (2016)"),
    "GHA": ("partner", "EU–Ghana stepping-stone Economic Partnership Agreement (2016)"),
    "PNG": ("partner", "EU–Pacific interim Economic Partnership Agreement (2011)"),
    "MAR": ("partner", "EU–Morocco Association Agreement (2000)"),
    "EGY": ("partner", "EU–Egypt Association Agreement (2004)"),
    "ISR": ("partner", "EU–Israel Association Agreement (2000)"),
    "CHE": ("partner", "EU–Switzerland bilateral agreements; European Free Trade Association"),
    "GEO": ("partner", "EU–Georgia Association Agreement incl. DCFTA (2016); EU candidate"),
    "ARM": ("partner", "EU–Armenia Comprehensive and Enhanced Partnership Agreement (2021)"),
    "BIH": ("partner", "Stabilisation and Association Agreement (2015); EU candidate country"),
    "XKX": ("partner", "Stabilisation and Association Agreement (2016)"),
    "NCL": ("partner", "French overseas country and territory associated with the EU"),
}


def eu_alignment(cid):
    if cid in EU_ALIGNMENT:
        return EU_ALIGNMENT[cid]
    if cid in EU27:
        return ("ally", "EU member state: its output is EU domestic supply")
    return ("neutral", E_NEUTRAL)


def us_alignment(cid):
    if cid in US_ALIGNMENT:
        return US_ALIGNMENT[cid]
    if cid in EU27 or cid in {"ALB", "MKD", "TUR"}:
        return ("ally", A_NATO)
    return ("neutral", A_NEUTRAL)


PARTNERSHIPS = """\
[[partnership]]
id = "us-mongolia-strategic-partnership"
name = "US–Mongolia Strategic Partnership"
members = ["USA", "MNG"]
since = 2019
instrument = "strategic partnership (joint declaration)"
source = "state.gov, Joint Statement on the U.S.-Japan-Mongolia Trilateral Meeting (2020-01-10), as recorded in ../shared/data/minerals/mongolia.csv"
quality = "solid"

[[partnership]]
id = "us-mongolia-mou"
name = "US–Mongolia MOU on Mineral Resource Sector Development and Governance"
members = ["USA", "MNG"]
since = 2023
instrument = "memorandum of understanding"
note = "signed in Ulaanbaatar on 2023-06-27 by U/S Jose W. Fernandez and Minister Ganbaatar Jambal"
source = "US Department of State, https://www.state.gov/united-states-mongolia-memorandum-of-understanding-on-mineral-resources/ ; miragenews.com"
quality = "solid"

[[partnership]]
id = "us-mongolia-rok-critical-minerals-dialogue"
name = "US–Mongolia–Republic of Korea Critical Minerals Dialogue"
members = ["USA", "MNG", "KOR"]
since = 2023
instrument = "trilateral dialogue"
note = "first meeting in Ulaanbaatar on 2023-06-27 (the trilateral is with the ROK, not Japan)"
source = "US Department of State via miragenews.com/us-mongolia-rok-hold-first-critical-minerals-1035397"
quality = "solid"

[[partnership]]
id = "us-japan-mongolia-trilateral"
name = "US–Japan–Mongolia trilateral meeting"
members = ["USA", "JPN", "MNG"]
since = 2020
instrument = "trilateral meeting (joint statements)"
note = "Washington 2020-01-10; Tokyo 2022-10-28"
source = "state.gov joint statement (2020-01-10); azbuk.net joint statement (2022-10-28)"
quality = "solid"

# Also recorded in mongolia.csv but not modelled as partnerships: the Economic Cooperation
# Roadmap and Open Skies Agreement (2023-08-02/04) and the Secretary of State's visit
# (2024-08-01). The MOU's policy dialogue is modelled as an initiative only in
# mongolia-partnership-2030.toml (the baseline holds no initiatives).
"""

TRANSIT = """\
# Mongolia is landlocked between Russia and China. NO SOURCED SPLIT of export volume by route
# exists in the shared data (DOMAIN.md, sources.md). The 90 / 10 split below is an ANALYST
# ASSUMPTION: 91.3 % of Mongolia's exports go to China (Jan–Sep 2023) and coal — over half of
# exports — leaves by the rail lines to the Chinese border crossings opened in 2022; the
# Trans-Mongolian railway to Russia carries the rest. Change it here, or in a what-if.
[[transit]]
country = "MNG"
via = "CHN"
percent = 90.0
status = "open"
quality = "approximate"
note = "analyst assumption, not a measured split; routes: Zamyn-Uud–Erenhot towards Tianjin, Tavan Tolgoi–Gashuun Sukhait (Ganqimaodu, 2022), Zuunbayan–Khangi (226.9 km, 2022)"
source = "analyst assumption; see ../shared/DOMAIN.md. Routes: reingex.com/en/China-Mongolia-Russia.shtml; railfreight.com/tag/mongolia; railwaygazette.com (article 63031). Export share: Mongolia NSO via Agenzia Nova 2023-10-19"

[[transit]]
country = "MNG"
via = "RUS"
percent = 10.0
status = "open"
quality = "approximate"
note = "analyst assumption, not a measured split; Trans-Mongolian railway to the Trans-Siberian (Ulaanbaatar Railway JV, half Russian-owned); the onward Russian route to Pacific ports is not sourced"
source = "analyst assumption; see ../shared/DOMAIN.md. Route: The Moscow Times 2011-10-27 (Ulaanbaatar Railway ownership); reingex.com/en/China-Mongolia-Russia.shtml"
"""

EXPECT = """\
# The main story this baseline must tell (checked by `lode test`).
[[expect]]
holds = "Concentration(gallium, refining, high)"

[[expect]]
holds = "Concentration(rare_earths, refining, high)"

[[expect]]
holds = "RiskLevel(USA, gallium, refining, critical)"

[[expect]]
holds = "RiskLevel(USA, rare_earths, refining, high)"

[[expect]]
holds = "DiversificationOption(USA, fluorspar, mining, MNG, _)"

[[expect]]
holds = "PotentialSupplier(rare_earths, MNG, resource)"

[[expect]]
absent = "RiskLevel(USA, molybdenum, mining, critical)"

# The EU27 as a consumer (reliance derived from the EU study's sourcing shares).
[[expect]]
holds = "RiskLevel(EU27, gallium, refining, critical)"

[[expect]]
holds = "RiskLevel(EU27, rare_earths, refining, critical)"

[[expect]]
holds = "HighReliance(EU27, graphite, _)"
"""


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------

def render():
    shares = build_shares()
    reserves, reserves_skipped = build_reserves()
    reliance, reliance_gaps = build_reliance()
    us_imports = build_us_imports()
    eu_reliance, eu_imports, eu_members, eu_over = build_eu_sourcing()
    wgi = build_governance()
    mng_rows, mng = build_mongolia()
    events = build_events()

    parts = [HEADER, SCENARIO, PARAMS]

    # ---- minerals and stages
    parts.append(banner("Minerals and stages"))
    parts.append(STAGES)
    mblocks = []
    for mid, name, _ in MINERALS:
        block = table("mineral", [("id", s(mid)), ("name", s(name))])
        if mid in NO_DATA_MINERALS:
            block = wrap_comment(f"{mid}: {NO_DATA_MINERALS[mid]}") + "\n" + block
        mblocks.append(block)
    parts.append("\n\n".join(mblocks) + "\n")

    # ---- countries
    used = set(ALWAYS)
    for g in shares:
        used.update(f["country"] for f in g["facts"])
    used.update(d["country"] for d in reserves)
    used.update(d["country"] for d in us_imports)
    used.update(d["country"] for d in eu_imports)
    parts.append(banner("Countries (ISO 3166 alpha-3) and the EU27 bloc"))
    parts.append(wrap_comment(
        "Every country that appears in a fact below, plus USA, MNG, CHN, RUS, JPN, KOR. "
        "governance = World Bank WGI 2022, mean of the six estimates normalised to 0–1 (1 = best). "
        "landlocked = true only where certain. Aggregate rows of the sources (\"Other countries\", "
        "\"World total\") are not countries and are not declared.") + "\n")
    cblocks = []
    for cid in sorted(used):
        name, wname = NAMES[cid]
        gov = wgi.get(wname) if wname else None
        fields = [("id", s(cid)), ("name", s(name))]
        if gov is not None:
            fields.append(("governance", gov))
        if cid in LANDLOCKED:
            fields.append(("landlocked", "true"))
        if gov is not None:
            fields += [("source", s(WGI_SOURCE)), ("quality", s("derived"))]
        else:
            fields += [("source", s("no WGI 2022 value in governance_wgi2022.csv "
                                     "(territory of France); governance omitted")),
                       ("quality", s("solid"))]
        block = table("country", fields)
        if gov is None:
            block = f"# {cid}: governance missing from the WGI file\n" + block
        cblocks.append(block)
    cblocks.append(table("country", [
        ("id", s("EU27")), ("name", s("European Union (27 member states)")),
        ("kind", s("bloc")),
        ("source", s("Regulation (EU) 2024/1252 (Critical Raw Materials Act), "
                     "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=OJ:L_202401252")),
        ("quality", s("solid"))]))
    parts.append("\n\n".join(cblocks) + "\n")

    # ---- alignment
    parts.append(banner("Alignment — AN ANALYST'S ASSUMPTION, NOT DATA (swap this table freely)"))
    parts.append(wrap_comment(
        "Levels: ally (treaty ally), partner (Minerals Security Partnership member, strategic or "
        "comprehensive partnership, US free-trade agreement, Major Non-NATO Ally), neutral (none "
        "of these; the analyst default), rival (named strategic competitor or threat in the 2022 "
        "US National Security Strategy, or under comprehensive US sanctions). The MSP member list "
        "should be checked against the current State Department list. From the EU27's point of "
        "view (second block): ally (EU member state, or NATO ally outside the EU), partner (EU "
        "free-trade, association or partnership agreement in force, or an EU strategic "
        "partnership on raw materials), neutral (the analyst default), rival (China as "
        "'systemic rival', or under broad EU sanctions). Both tables are general knowledge, "
        "not rows of the shared data.") + "\n")
    ablocks = []
    for cid in sorted(used):
        if cid == "USA":
            continue
        lvl, why = us_alignment(cid)
        ablocks.append(table("alignment", [("consumer", s("USA")), ("country", s(cid)),
                                           ("level", s(lvl)), ("rationale", s(why))]))
    for cid in sorted(used):
        if cid == "EU27":
            continue
        lvl, why = eu_alignment(cid)
        ablocks.append(table("alignment", [("consumer", s("EU27")), ("country", s(cid)),
                                           ("level", s(lvl)), ("rationale", s(why))]))
    parts.append("\n\n".join(ablocks) + "\n")

    # ---- shares
    parts.append(banner("Shares of world output, by mineral and stage"))
    parts.append(wrap_comment(
        "One data layer per mineral x stage: USGS MCS 2026 where it has the stage (2024 and "
        "the 2025 estimate, written year = 2025 with note \"estimate\"), else the EU CRM 2023 "
        "study (year = 2020, standing for its 2016–2020 reference period), else WNA (uranium "
        "2022), else an approximate secondary figure. Copper mining uses the EU study because "
        "the USGS transcription lacks the copper mine-production column. Shares are of the LISTED "
        "countries only: the sources' \"Other countries\" rows are not countries and are left "
        "out, so a year's shares may sum to less than 100. Rows with an empty, zero or \"<0.1\" "
        "share are skipped and listed in the comments.") + "\n")
    declared_pairs = {(g["mineral"], g["stage"]) for g in shares}
    missing = []
    for mid, _, key in MINERALS:
        for st in ("mining", "refining"):
            if (mid, st) not in declared_pairs:
                missing.append(f"{mid} {st}")
    parts.append(wrap_comment("No share data in the shared data set for: " +
                              ", ".join(missing) + ".") + "\n")
    for g in shares:
        head = [f"# --- {g['mineral']} / {g['stage']} " + "-" * 60,
                wrap_comment("layer: " + LAYER_LABEL[g["layer"]])]
        if g["unused"]:
            head.append(wrap_comment("not used (other layers in the CSV): " +
                                     ", ".join(g["unused"])))
        head.append("# sum of listed shares: " + ", ".join(
            f"{y}: {v:.1f}" for y, v in g["sums"].items()))
        for y, tot, world, denom in g["rescaled"]:
            head.append(wrap_comment(
                f"year {y} RECOMPUTED (quality derived): the CSV shares sum to {tot:.1f} because "
                f"USGS's rounded world total ({world}) is below the sum of its country rows "
                f"({denom:.0f}); shares are quantity / {denom:.0f}"))
        if g["aggregates"]:
            head.append(wrap_comment("aggregate rows left out: " + "; ".join(
                f"{y} {n} {p}" for y, n, p in g["aggregates"])))
        if g["skipped"]:
            head.append(wrap_comment("skipped (empty, zero or <0.1 share): " + "; ".join(
                f"{y} {n} ({w})" for y, n, w in g["skipped"])))
        blocks = []
        for f in g["facts"]:
            blocks.append(table("share", [
                ("mineral", s(f["mineral"])), ("stage", s(f["stage"])),
                ("country", s(f["country"])), ("year", str(f["year"])),
                ("percent", num(f["raw"])), ("quality", s(f["quality"])),
                ("note", s(f["note"]) if f["note"] else None), ("source", s(f["source"]))]))
        parts.append("\n".join(head) + "\n\n" + "\n\n".join(blocks) + "\n")

    # ---- deposits
    parts.append(banner("Deposits: reserves and resources"))
    dblocks = []
    dblocks.append(wrap_comment(
        "Mongolia's rare-earth deposits (estimated REO, from the national registry as reported "
        "by Udriin Sonin). None is in production (USGS MCS 2026 lists no Mongolian output). Not "
        "modelled: the registry's national total of 3.1 Mt REO (it would double-count the "
        "deposits) and the widely quoted \"31 Mt REO\", a 2009 USGS estimate absent from current "
        "USGS tables."))
    ree = [("Khalzan Buregtei", 2028), ("Khotgor", None), ("Mushgai Khudag", None),
           ("Lugiin Gol", None)]
    target = mng[("rare_earths", "Khalzan Buregtei: heavy-REE (Dy, Tb) rich; owner TDB/MNREC; "
                  "first processing plant + mixed REO targeted", "2024")]
    for dep, ty in ree:
        r = mng[("rare_earths", f"{dep} deposit estimated REO", "n.d.")]
        assert r["unit"] == "thousand t"
        tonnes = round(float(r["value"]) * 1000)
        note = f"{r['value']} thousand t REO, estimate, date not given"
        src = r["source"]
        if ty:
            note += (f"; heavy-REE (Dy, Tb) rich; owner TDB/MNREC; first processing plant and "
                     f"mixed REO targeted for {target['value']}")
            src += "; target year: " + target["source"]
        dblocks.append(table("deposit", [
            ("mineral", s("rare_earths")), ("country", s("MNG")), ("name", s(dep)),
            ("tonnes", str(tonnes)), ("kind", s("resource")),
            ("target_year", str(ty) if ty else None),
            ("quality", s(quality_of(r["quality"]))), ("note", s(note)), ("source", s(src))]))
    fl = mng[("fluorspar", "Mongolia reserves", "2025")]
    dblocks.append(table("deposit", [
        ("mineral", s("fluorspar")), ("country", s("MNG")), ("name", s("national reserves (USGS)")),
        ("tonnes", str(int(fl["value"]) * 1000)), ("kind", s("reserve")),
        ("quality", s(quality_of(fl["quality"]))),
        ("note", s(f"{fl['value']} thousand t (USGS reserves column)")),
        ("source", s(short_source(fl["source"])))]))
    mo = mng[("molybdenum", "Mongolia reserves", "2025")]
    dblocks.append(table("deposit", [
        ("mineral", s("molybdenum")), ("country", s("MNG")), ("name", s("national reserves (USGS)")),
        ("tonnes", str(int(mo["value"]) * 1000)), ("kind", s("reserve")),
        ("quality", s(quality_of(mo["quality"]))),
        ("note", s(f"{mo['value']} thousand t Mo as transcribed; unit of the USGS reserves "
                   f"column should be checked in the PDF")),
        ("source", s(short_source(mo["source"])))]))
    dblocks.append(wrap_comment(
        "National reserves of other producers, from the USGS MCS 2026 reserves column (2025). "
        "Converted to tonnes where USGS gives thousand tonnes. No reserves are published for "
        "gallium. Skipped: \"NA\", \"Small\", lower bounds (\">…\") and zeros: " + "; ".join(
            f"{m} {c} {v}" for m, c, v in reserves_skipped) + "."))
    for d in reserves:
        dblocks.append(table("deposit", [
            ("mineral", s(d["mineral"])), ("country", s(d["country"])),
            ("name", s("national reserves (USGS)")), ("tonnes", str(d["tonnes"])),
            ("kind", s("reserve")), ("quality", s(d["quality"])), ("note", s(d["unit"])),
            ("source", s(d["source"]))]))
    parts.append("\n\n".join(dblocks) + "\n")

    # ---- reliance
    parts.append(banner("Net import reliance"))
    rblocks = [wrap_comment(
        "United States, USGS MCS 2026 (2024 and the 2025 estimate). Gaps: " + "; ".join(
            f"{m} {y}: {raw}" for m, y, raw in reliance_gaps) +
        "; coking coal: no sourced US figure.")]
    for d in reliance:
        rblocks.append(table("reliance", [
            ("consumer", s("USA")), ("mineral", s(d["mineral"])), ("year", str(d["year"])),
            ("percent", num(d["percent"])), ("quality", s(d["quality"])),
            ("note", s(d["note"])), ("source", s(d["source"]))]))
    rblocks.append(wrap_comment(
        "EU27: the shared data hold no EU import-reliance figure (the EU study's IR values were "
        "not extracted). It is DERIVED from the EU study's EU-sourcing table: IR = 100 - the summed "
        "shares of EU member states (EU domestic supply), per stage; reliance has no stage key, so "
        "the higher of the stages is kept (each note gives both and the member states). Heavy "
        "REEs (dysprosium, gadolinium, terbium, lutetium) take the table's heavy-rare-earths "
        "group row; rare_earths (total) takes 100 because no rare-earth row lists a member state. "
        "No EU figure for uranium (not assessed by the EU study)."))
    for d in eu_reliance:
        rblocks.append(table("reliance", [
            ("consumer", s("EU27")), ("mineral", s(d["mineral"])), ("year", str(d["year"])),
            ("percent", num(d["percent"])), ("quality", s(d["quality"])),
            ("note", s(d["note"])), ("source", s(d["source"]))]))
    parts.append("\n\n".join(rblocks) + "\n")

    # ---- import sources
    parts.append(banner("Import sources"))
    iblocks = [wrap_comment(
        "United States: USGS \"Import sources (2021–24)\", one product category per mineral "
        "(named in each note); the \"other\" remainder is left out. No import-source table for "
        "uranium or coking coal in the shared data.")]
    for d in us_imports:
        iblocks.append(table("import_source", [
            ("consumer", s(d["consumer"])), ("mineral", s(d["mineral"])),
            ("country", s(d["country"])), ("percent", num(d["percent"])),
            ("quality", s(d["quality"])), ("note", s(d["note"])), ("source", s(d["source"]))]))
    iblocks.append(wrap_comment(
        "EU27: EU CRM 2023 study \"EU sourcing\" shares (EU domestic supply + imports). "
        "import_source has no stage key, so each material takes the one stage whose IR the EU27 "
        "reliance keeps (the higher IR; extraction on a tie), named in each note. "
        "Rows for EU member states (domestic supply, not imports) are left out: " + "; ".join(
            f"{m} {c} {p}%" for m, c, p in eu_members) + ". quality = derived because a share of "
        "EU sourcing is used as a share of imports. Left out whole because the table's "
        "whole-percent rows of non-EU countries sum past 100.5: " + "; ".join(
            f"{m} (sum {v})" for m, v in eu_over) + "."))
    for d in eu_imports:
        iblocks.append(table("import_source", [
            ("consumer", s(d["consumer"])), ("mineral", s(d["mineral"])),
            ("country", s(d["country"])), ("percent", num(d["percent"])),
            ("quality", s(d["quality"])), ("note", s(d["note"])), ("source", s(d["source"]))]))
    parts.append("\n\n".join(iblocks) + "\n")

    # ---- Mongolia trade and transit
    parts.append(banner("Mongolia: export destination and transit"))
    ex = mng[("trade", "China share of Mongolia exports", "Jan-Sep 2023")]
    parts.append(table("export_share", [
        ("country", s("MNG")), ("partner", s("CHN")), ("year", "2023"),
        ("percent", num(ex["value"])), ("quality", s(quality_of(ex["quality"]))),
        ("note", s("January–September 2023; earlier: >85 % (Jan–Aug 2018), 68 % (Jan–Jul 2020, "
                   "COVID border disruption)")),
        ("source", s(ex["source"]))]) + "\n")
    parts.append(TRANSIT)

    # ---- partnerships
    parts.append(banner("Partnerships"))
    parts.append(PARTNERSHIPS)

    # ---- events
    parts.append(banner("Policy events (China's export controls)"))
    parts.append(render_events(events))

    # ---- expectations
    parts.append(banner("Expectations"))
    parts.append(EXPECT)

    text = "\n".join(parts)
    return text.rstrip("\n") + "\n"


EVENT_IDS = {
    "2023-08-01": "cn-ga-ge-licensing-2023",
    "2023-12-01": "cn-graphite-licensing-2023",
    "2023-12-21": "cn-ree-tech-ban-2023",
    "2024-09-15": "cn-sb-licensing-2024",
    "2024-12-03": "cn-us-ban-2024",
    "2025-04-04": "cn-hree-licensing-2025",
    "2025-10-09": "cn-ree-li-graphite-controls-2025",
    "2025-11-09": "cn-us-ban-suspension-2025",
}


def render_events(rows):
    out = [wrap_comment(
        "From events.csv. kind is one of export_licensing | export_ban | technology_export_ban "
        "| suspension; target is \"all\" or a consumer id. The event's effect is a rule, not a "
        "hand-edited fact. Not modelled: the United States' final 2025 List of Critical Minerals "
        "(2025-11-07; kind critical_list is not an event kind of the format).")]
    for r in rows:
        if r["kind"] == "critical_list":
            continue
        eid = EVENT_IDS[r["date"]]
        minerals = [CSV_TO_MINERAL.get(m, m) for m in r["minerals"].split(";")]
        notes = [r["measure"]]
        until = None
        suspends = None
        if eid in ("cn-us-ban-2024", "cn-us-ban-suspension-2025"):
            # Announcement 2024 No. 46 bans gallium, germanium, antimony and superhard
            # materials to the US; for graphite it only tightens end-use review.
            assert "graphite" in minerals
            minerals = [m for m in minerals if m != "graphite"]
            notes.append("graphite left out of the minerals list: for graphite the measure is a "
                         "stricter end-use review, not a ban")
        if eid == "cn-us-ban-suspension-2025":
            until = "2026-11-27"
            suspends = '["cn-us-ban-2024"]'
        for m in minerals:
            assert m in MINERAL_ORDER, m
        target = "USA" if r["target"] == "United States" else "all"
        assert r["target"] in ("United States", "all destinations"), r["target"]
        notes.append("status as of 2026-11-24: " + r["status_as_of_2026-11-24"])
        out.append(table("event", [
            ("id", s(eid)), ("actor", s("CHN")), ("kind", s(r["kind"])),
            ("minerals", "[" + ", ".join(s(m) for m in minerals) + "]"),
            ("target", s(target)), ("from", r["date"]), ("until", until),
            ("suspends", suspends), ("quality", s(quality_of(r["quality"]))),
            ("note", s("; ".join(notes))), ("source", s(r["source"]))]))
        if eid == "cn-ree-li-graphite-controls-2025":
            out.append(wrap_comment(
                "The October 2025 measures were suspended for one year (announced 2025-11-07; "
                "events.csv). The exact start and end dates of that suspension are not in the "
                "shared data: `until` is DERIVED as one year after the announcement, so on "
                "as_of = 2026-11-25 the October 2025 measures count as in force again unless the "
                "suspension was extended (not known). Check against MOFCOM's announcement.") +
                "\n" + table("event", [
                    ("id", s("cn-ree-li-graphite-controls-2025-suspension")), ("actor", s("CHN")),
                    ("kind", s("suspension")),
                    ("minerals", "[" + ", ".join(s(m) for m in minerals) + "]"),
                    ("target", s("all")), ("from", "2025-11-07"), ("until", "2026-11-07"),
                    ("suspends", '["cn-ree-li-graphite-controls-2025"]'),
                    ("quality", s("derived")),
                    ("note", s("events.csv: 'suspended (announced 2025-11-07) for one year'; from = "
                               "announcement date, until = one year later (derived, not sourced)")),
                    ("source", s(r["source"]))]))
    return "\n\n".join(out) + "\n"


def main():
    text = render()
    if "--check" in sys.argv[1:]:
        with open(OUT, encoding="utf-8") as fh:
            if fh.read() != text:
                print(f"{OUT} is out of date; run scripts/build_scenarios.py", file=sys.stderr)
                return 1
        return 0
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
