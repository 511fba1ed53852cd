"""Dimension tables of the demo: plants, lines, products, defect codes, suppliers, SPC characteristics.

They are the same at every scale. Besides the table columns, :class:`Dims` keeps index
arrays (line -> plant, product -> line, ...) that the fact generators use.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from dashboard.sources.demo_plan import STEP_LINE, Columns, nullable, pick, round_to

PLANTS = [  # id, name, country, region, works Saturdays
    ("P01", "Stuttgart", "DE", "EMEA", False),
    ("P02", "Greenville", "US", "Americas", False),
    ("P03", "Brno", "CZ", "EMEA", False),
    ("P04", "Suzhou", "CN", "APAC", True),
    ("P05", "Monterrey", "MX", "Americas", True),
]
PROCESS_TYPES = ("assembly", "machining", "moulding", "painting", "smt", "welding", "testing")
PLANT_LINES = {
    "P01": ("smt", "smt", "assembly", "assembly", "testing", "machining", "painting", "assembly"),
    "P02": ("machining", "machining", "machining", "welding", "assembly", "assembly", "painting", "testing"),
    "P03": ("moulding", "moulding", "moulding", "assembly", "assembly", "welding", "testing", "painting"),
    "P04": ("smt", "smt", "smt", "assembly", "assembly", "testing", "moulding", "testing"),
    "P05": ("welding", "welding", "machining", "assembly", "assembly", "painting", "moulding", "testing"),
}
# process type -> family, product names, opportunities range, unit cost range (EUR)
FAMILIES = {
    "smt": (
        "Control electronics",
        ("ECU board", "Sensor board", "Power module", "Display driver", "Gateway board"),
        (40, 60),
        (25, 120),
    ),
    "machining": ("Hydraulic valves", ("Valve body", "Manifold block", "Pump housing", "Spool", "End cap"), (8, 15), (15, 80)),
    "moulding": ("Plastic housings", ("Housing top", "Housing base", "Connector shell", "Cover", "Clip set"), (5, 10), (2, 12)),
    "painting": ("Painted panels", ("Side panel", "Front cover", "Door panel", "Bracket", "Frame"), (5, 12), (10, 60)),
    "welding": ("Welded frames", ("Subframe", "Bracket assembly", "Cross member", "Engine mount", "Rail"), (10, 20), (20, 150)),
    "assembly": (
        "Pumps and actuators",
        ("Actuator", "Gear pump", "Motor unit", "Valve assembly", "Drive unit"),
        (15, 35),
        (40, 400),
    ),
    "testing": (
        "Finished modules",
        ("Control module", "Pump unit", "Sensor kit", "Power pack", "Service kit"),
        (20, 40),
        (60, 300),
    ),
}
PRODUCTS_PER_LINE = 5

# code, description, 6M category, base weight (Pareto: a vital few), process types, P(minor), P(major)
DEFECT_CODES = [
    ("D01", "Surface scratch", "Man", 10.0, "painting moulding machining assembly", 0.85, 0.14),
    ("D02", "Paint blistering", "Environment", 6.0, "painting", 0.6, 0.35),
    ("D03", "Missing fastener", "Man", 7.0, "assembly", 0.3, 0.6),
    ("D04", "Solder bridge", "Machine", 9.0, "smt", 0.4, 0.5),
    ("D05", "Burr on edge", "Machine", 6.0, "machining", 0.7, 0.28),
    ("D06", "Short shot", "Machine", 5.0, "moulding", 0.5, 0.45),
    ("D07", "Wrong label", "Method", 2.0, "assembly testing", 0.6, 0.35),
    ("D08", "Bore diameter out of tolerance", "Machine", 6.0, "machining", 0.3, 0.6),
    ("D09", "Weld porosity", "Method", 4.0, "welding", 0.4, 0.5),
    (
        "D10",
        "Contamination / foreign material",
        "Environment",
        0.6,
        "assembly machining moulding painting smt welding testing",
        0.6,
        0.35,
    ),
    ("D11", "Cracked housing", "Material", 1.5, "moulding assembly", 0.2, 0.6),
    ("D12", "Seal leak", "Material", 2.5, "assembly testing", 0.2, 0.6),
    ("D13", "Torque out of specification", "Method", 3.0, "assembly", 0.5, 0.45),
    ("D14", "Colour mismatch", "Material", 1.2, "painting moulding", 0.8, 0.2),
    ("D15", "Component misplaced", "Machine", 3.0, "smt assembly", 0.4, 0.5),
    ("D16", "Cold solder joint", "Method", 2.5, "smt", 0.3, 0.55),
    ("D17", "Weld spatter", "Machine", 2.5, "welding", 0.9, 0.1),
    ("D18", "Dent", "Man", 1.0, "welding assembly painting", 0.7, 0.28),
    ("D19", "Incorrect part revision", "Method", 0.6, "assembly", 0.2, 0.6),
    ("D20", "Gauge calibration expired", "Measurement", 0.4, "testing machining", 0.6, 0.38),
    ("D21", "Functional test failure", "Measurement", 2.0, "testing smt", 0.2, 0.55),
    ("D22", "Warpage", "Environment", 1.2, "moulding", 0.5, 0.45),
    ("D23", "Sink marks", "Method", 1.0, "moulding", 0.85, 0.15),
    ("D24", "Orange peel finish", "Method", 1.0, "painting", 0.85, 0.15),
    ("D25", "Thread damage", "Man", 0.8, "machining assembly", 0.4, 0.55),
    ("D26", "Electrical short", "Material", 0.6, "smt testing", 0.1, 0.5),
    ("D27", "Packaging damage", "Method", 0.8, "testing assembly", 0.8, 0.2),
    ("D28", "Humidity-damaged components", "Environment", 0.5, "smt", 0.3, 0.55),
    ("D29", "Wrong material batch", "Material", 0.3, "assembly machining moulding painting smt welding testing", 0.2, 0.6),
    ("D30", "Measurement system error", "Measurement", 0.3, "testing machining", 0.7, 0.28),
]

COMMODITIES = (
    "Castings",
    "Fasteners",
    "Resins",
    "Electronic components",
    "Sheet steel",
    "Seals and gaskets",
    "Packaging",
    "Paint and coatings",
    "Cable harnesses",
    "Bearings",
    "Machined parts",
    "Printed circuit boards",
)
COUNTRY_NAMES = (  # country, legal form, family names for supplier names
    ("DE", "GmbH", ("Kessler", "Becker", "Weber")),
    ("CZ", "s.r.o.", ("Novak", "Svoboda", "Dvorak")),
    ("PL", "Sp. z o.o.", ("Kowalski", "Nowak", "Wisniewski")),
    ("IT", "S.p.A.", ("Marino", "Rossi", "Bianchi")),
    ("CN", "Co., Ltd.", ("Zhang", "Wang", "Liu")),
    ("IN", "Pvt. Ltd.", ("Patel", "Iyer", "Mehta")),
    ("MX", "S.A. de C.V.", ("Herrera", "Garza", "Flores")),
    ("US", "Inc.", ("Walker", "Miller", "Harris")),
    ("JP", "K.K.", ("Tanaka", "Sato", "Suzuki")),
    ("KR", "Co., Ltd.", ("Kim", "Park", "Choi")),
    ("TR", "A.S.", ("Yilmaz", "Demir", "Kaya")),
    ("HU", "Kft.", ("Horvath", "Nagy", "Szabo")),
)
N_SUPPLIERS = 60

# process type -> two characteristics: name, unit, target (mean), sigma, subgroup size, one-sided (no lsl/target)
CHARACTERISTICS = {
    "smt": (("Solder paste height", "µm", 120.0, 4.0, 5, False), ("Reflow peak temperature", "°C", 245.0, 1.5, 1, False)),
    "machining": (("Bore diameter", "mm", 12.0, 0.004, 5, False), ("Surface roughness Ra", "µm", 0.8, 0.04, 5, True)),
    "moulding": (("Wall thickness", "mm", 2.5, 0.02, 5, False), ("Part weight", "g", 48.0, 0.15, 5, False)),
    "painting": (("Paint film thickness", "µm", 80.0, 3.0, 5, False), ("Gloss", "GU", 90.0, 1.2, 5, False)),
    "welding": (("Weld nugget diameter", "mm", 6.0, 0.12, 5, False), ("Weld current", "kA", 9.5, 0.15, 1, False)),
    "assembly": (("Screw torque", "N·m", 4.5, 0.08, 5, False), ("Press-fit force", "kN", 3.2, 0.09, 5, False)),
    "testing": (("Leak test pressure drop", "Pa", 35.0, 2.5, 5, True), ("Output voltage", "V", 12.0, 0.05, 5, False)),
}


@dataclasses.dataclass
class Dims:
    """Dimension tables plus the index arrays the fact generators need."""

    tables: dict[str, Columns]
    plant_ids: np.ndarray
    plant_saturday: np.ndarray
    line_ids: np.ndarray
    line_plant: np.ndarray  # plant index per line
    line_type: np.ndarray  # PROCESS_TYPES index per line
    line_capacity: np.ndarray  # relative output per line
    line_quality: np.ndarray  # relative defect rate per line
    line_products: np.ndarray  # (lines, 5) product indexes
    product_ids: np.ndarray
    product_share: np.ndarray  # (lines, 5) how often each product runs
    product_quality: np.ndarray
    product_cost: np.ndarray
    code_ids: np.ndarray
    code_mix: np.ndarray  # (process types, codes): share of each code's defects, rows sum to 1
    code_severity: np.ndarray  # (codes, 2): cumulative P(minor), P(minor or major)
    supplier_ids: np.ndarray
    char_ids: np.ndarray
    char_line: np.ndarray
    char_mean: np.ndarray  # true process mean
    char_sigma: np.ndarray
    char_size: np.ndarray
    char_resolution: np.ndarray  # decimals kept

    def index_of(self, kind: str, key: str) -> int:
        """Position of a plant / line / code / supplier / characteristic id."""
        ids = {
            "plant": self.plant_ids,
            "line": self.line_ids,
            "code": self.code_ids,
            "supplier": self.supplier_ids,
            "characteristic": self.char_ids,
        }[kind]
        return int(np.flatnonzero(ids == key)[0])


def _lines() -> tuple[Columns, np.ndarray, np.ndarray]:
    ids, plants, names, types = [], [], [], []
    for plant_index, (plant_id, plant_name, *_rest) in enumerate(PLANTS):
        for number, process in enumerate(PLANT_LINES[plant_id], start=1):
            ids.append(f"{plant_id}-L{number:02d}")
            plants.append(plant_index)
            label = "SMT" if process == "smt" else process.capitalize()
            names.append(f"{plant_name} {label} {number}")
            types.append(PROCESS_TYPES.index(process))
    plant_idx, type_idx = np.array(plants), np.array(types)
    columns = {
        "line_id": np.array(ids, dtype=object),
        "plant_id": pick([p[0] for p in PLANTS], plant_idx),
        "line_name": np.array(names, dtype=object),
        "process_type": pick(PROCESS_TYPES, type_idx),
    }
    return columns, plant_idx, type_idx


def _products(rng: np.random.Generator, line_type: np.ndarray) -> tuple[Columns, np.ndarray]:
    n_lines = len(line_type)
    product_line = np.repeat(np.arange(n_lines), PRODUCTS_PER_LINE)
    slot = np.tile(np.arange(PRODUCTS_PER_LINE), n_lines)
    families = [FAMILIES[PROCESS_TYPES[t]] for t in line_type[product_line]]
    low_opp = np.array([f[2][0] for f in families])
    high_opp = np.array([f[2][1] for f in families])
    low_cost = np.array([f[3][0] for f in families])
    high_cost = np.array([f[3][1] for f in families])
    opportunities = rng.integers(low_opp, high_opp + 1)
    cost = np.round(low_cost + (high_cost - low_cost) * rng.random(len(families)), 2)
    model = rng.integers(100, 1000, len(families))
    names = [
        f"{f[1][s]} {''.join(w[0] for w in f[1][s].split()).upper()}-{m}" for f, s, m in zip(families, slot, model, strict=True)
    ]
    columns = {
        "product_id": np.array([f"PR-{1001 + i}" for i in range(len(families))], dtype=object),
        "product_name": np.array(names, dtype=object),
        "product_family": np.array([f[0] for f in families], dtype=object),
        "opportunities_per_unit": opportunities,
        "unit_cost_eur": cost,
    }
    return columns, product_line


def _defect_codes() -> tuple[Columns, np.ndarray, np.ndarray]:
    mix = np.zeros((len(PROCESS_TYPES), len(DEFECT_CODES)))
    for code, (*_head, weight, processes, _minor, _major) in enumerate(DEFECT_CODES):
        for process in processes.split():
            mix[PROCESS_TYPES.index(process), code] = weight
    mix = (mix + 0.02) / (mix + 0.02).sum(axis=1, keepdims=True)  # every code can occur anywhere, rarely
    severity = np.array([[minor, minor + major] for *_h, minor, major in DEFECT_CODES])
    columns = {
        "defect_code": np.array([c[0] for c in DEFECT_CODES], dtype=object),
        "defect_description": np.array([c[1] for c in DEFECT_CODES], dtype=object),
        "category_6m": np.array([c[2] for c in DEFECT_CODES], dtype=object),
    }
    return columns, mix, severity


def _suppliers(rng: np.random.Generator) -> Columns:
    commodity = rng.integers(0, len(COMMODITIES), N_SUPPLIERS)
    commodity[16] = COMMODITIES.index("Castings")  # S017, the degrading supplier of story 2
    commodity[59] = COMMODITIES.index("Machined parts")  # S060, the tiny prototype shop
    country = rng.integers(0, len(COUNTRY_NAMES), N_SUPPLIERS)
    stem = rng.integers(0, 3, N_SUPPLIERS)
    names = [
        f"{COUNTRY_NAMES[k][2][s]} {COMMODITIES[c].split()[0]} {COUNTRY_NAMES[k][1]}"
        for s, c, k in zip(stem, commodity, country, strict=True)
    ]
    names[59] = "Nordlicht Prototyping GmbH"
    countries = [COUNTRY_NAMES[k][0] for k in country]
    countries[59] = "DE"
    return {
        "supplier_id": np.array([f"S{i:03d}" for i in range(1, N_SUPPLIERS + 1)], dtype=object),
        "supplier_name": np.array(names, dtype=object),
        "commodity": pick(COMMODITIES, commodity),
        "country": np.array(countries, dtype=object),
    }


def _characteristics(
    rng: np.random.Generator, line_ids: np.ndarray, line_type: np.ndarray, product_ids: np.ndarray
) -> tuple[Columns, dict[str, np.ndarray]]:
    rows = [(line, k, *CHARACTERISTICS[PROCESS_TYPES[t]][k]) for line, t in enumerate(line_type) for k in (0, 1)]
    line = np.array([r[0] for r in rows])
    number = np.array([r[1] for r in rows])
    nominal = np.array([r[4] for r in rows])
    sigma = np.array([r[5] for r in rows])
    one_sided = np.array([r[7] for r in rows])
    capability = 1.0 + rng.random(len(rows))  # Cp between 1.0 and 2.0
    offset = (rng.random(len(rows)) - 0.5) * 1.2 * sigma  # processes are not perfectly centred
    decimals = np.maximum(0, -np.floor(np.log10(sigma / 10))).astype(int)
    half_width = round_to(3 * capability * sigma, decimals)
    machined_or_moulded = [PROCESS_TYPES.index("machining"), PROCESS_TYPES.index("moulding")]
    product_specific = (number == 0) & np.isin(line_type[line], machined_or_moulded)
    columns = {
        "characteristic_id": np.array([f"{line_ids[li]}-C{k + 1}" for li, k in zip(line, number, strict=True)], dtype=object),
        "line_id": line_ids[line],
        "product_id": nullable(product_ids[line * PRODUCTS_PER_LINE], ~product_specific),
        "characteristic_name": np.array([r[2] for r in rows], dtype=object),
        "unit": np.array([r[3] for r in rows], dtype=object),
        "lsl": nullable(round_to(nominal - half_width, decimals), one_sided),
        "usl": round_to(nominal + half_width, decimals),
        "target": nullable(nominal, one_sided),
        "subgroup_size": np.array([r[6] for r in rows]),
    }
    extra = {"line": line, "mean": nominal + offset, "sigma": sigma, "size": columns["subgroup_size"], "decimals": decimals + 1}
    return columns, extra


def make_dims(rng: np.random.Generator) -> Dims:
    """Build every dimension table (draws from ``rng`` in a fixed order)."""
    plants = {
        "plant_id": pick([p[0] for p in PLANTS], np.arange(len(PLANTS))),
        "plant_name": pick([p[1] for p in PLANTS], np.arange(len(PLANTS))),
        "country": pick([p[2] for p in PLANTS], np.arange(len(PLANTS))),
        "region": pick([p[3] for p in PLANTS], np.arange(len(PLANTS))),
    }
    lines, line_plant, line_type = _lines()
    products, product_line = _products(rng, line_type)
    codes, code_mix, code_severity = _defect_codes()
    suppliers = _suppliers(rng)
    chars, char = _characteristics(rng, lines["line_id"], line_type, products["product_id"])
    n_lines = len(line_type)
    line_quality = np.exp(rng.normal(0, 0.3, n_lines))
    line_capacity = np.exp(rng.normal(0, 0.25, n_lines))
    story_line = np.flatnonzero(lines["line_id"] == STEP_LINE)
    line_quality[story_line], line_capacity[story_line] = 1.0, 2.0  # story 1: an average, high-volume line
    product_quality = np.exp(rng.normal(0, 0.2, len(product_line)))
    product_quality[product_line == story_line] = 1.0
    return Dims(
        tables={
            "plants": plants,
            "lines": lines,
            "products": products,
            "defect_codes": codes,
            "suppliers": suppliers,
            "spc_characteristics": chars,
        },
        plant_ids=plants["plant_id"],
        plant_saturday=np.array([p[4] for p in PLANTS]),
        line_ids=lines["line_id"],
        line_plant=line_plant,
        line_type=line_type,
        line_capacity=line_capacity,
        line_quality=line_quality,
        line_products=np.arange(n_lines * PRODUCTS_PER_LINE).reshape(n_lines, PRODUCTS_PER_LINE),
        product_ids=products["product_id"],
        product_share=rng.uniform(0.5, 2.0, (n_lines, PRODUCTS_PER_LINE)),
        product_quality=product_quality,
        product_cost=products["unit_cost_eur"],
        code_ids=codes["defect_code"],
        code_mix=code_mix,
        code_severity=code_severity,
        supplier_ids=suppliers["supplier_id"],
        char_ids=chars["characteristic_id"],
        char_line=char["line"],
        char_mean=char["mean"],
        char_sigma=char["sigma"],
        char_size=char["size"],
        char_resolution=char["decimals"],
    )
