"""A synthetic directory for benchmarks: tens of thousands of made-up local services on real places.

Speed claims need a directory far bigger than the real one, shaped like a real
one: local services over real US ZIPs, counties and states (from the same
``zipcodes`` data the bot uses), areas of every kind, weekly hours in the
place's time zone, one to three phones, bilingual names and descriptions over
every topic, plus the real national services from ``data/``.

Every service here is fiction: phones are 555-01xx numbers and web sites are
on example.org. The validator accepts 555-01xx numbers only under a folder
named ``tests``, so :func:`write_yaml` refuses any other folder, and nothing
here may ever be copied into ``data/``.

    PYTHONPATH=src python bench/synthetic.py /tmp/x/tests/directory --services 5000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resource_bot.directory import topics
from resource_bot.directory.catalog import Catalog, shared_area, shared_hours
from resource_bot.directory.entries import LocationEntry, OrganizationEntry, PhoneEntry, ServiceEntry
from resource_bot.directory.states import STATE_NAMES
from resource_bot.directory.validate import validate_paths
from resource_bot.directory.zip_index import Place, county_key, zip_index
from resource_bot.paths import data_dir

DEFAULT_SERVICES = 50_000
#: Services per YAML file; a real maintainer splits a big directory by region.
PER_FILE = 1000
#: The day the benchmark data claims to have been checked (never in the future).
VERIFIED_BEFORE = dt.date(2026, 11, 1)

# -- vocabulary ------------------------------------------------------------------------------------
#: Per topic: kinds of service (English, Spanish) and what they do (English, Spanish).
_KINDS: dict[str, list[tuple[str, str]]] = {
    "emergency": [("Crisis Center", "Centro de Crisis"), ("Crisis Line", "Línea de Crisis")],
    "trafficking": [
        ("Anti-Trafficking Coalition", "Coalición contra la Trata"),
        ("Survivor Services", "Servicios para Sobrevivientes"),
    ],
    "safety": [
        ("Family Violence Center", "Centro contra la Violencia Familiar"),
        ("Safe House", "Casa Segura"),
        ("Women's Center", "Centro de la Mujer"),
    ],
    "legal": [
        ("Legal Aid", "Ayuda Legal"),
        ("Law Project", "Proyecto Legal"),
        ("Justice Center", "Centro de Justicia"),
    ],
    "credit": [("Credit Counseling", "Asesoría de Crédito"), ("Financial Recovery", "Recuperación Financiera")],
    "childcare": [("Child Care Center", "Guardería"), ("Early Learning Center", "Centro de Aprendizaje Infantil")],
    "work": [("Workers Center", "Centro de Trabajadores"), ("Worker Justice", "Justicia Laboral")],
    "housing": [
        ("Shelter", "Refugio"),
        ("Housing Coalition", "Coalición de Vivienda"),
        ("Rescue Mission", "Misión de Rescate"),
    ],
    "food": [
        ("Food Pantry", "Despensa de Alimentos"),
        ("Food Bank", "Banco de Alimentos"),
        ("Community Kitchen", "Comedor Comunitario"),
    ],
    "online": [("Digital Safety Project", "Proyecto de Seguridad Digital")],
    "money": [("Financial Empowerment Center", "Centro de Finanzas"), ("Job Center", "Centro de Empleo")],
    "health": [
        ("Community Clinic", "Clínica Comunitaria"),
        ("Health Center", "Centro de Salud"),
        ("Counseling Center", "Centro de Consejería"),
    ],
    "help_others": [("Community Network", "Red Comunitaria"), ("Volunteer Center", "Centro de Voluntarios")],
}
_DOES: dict[str, list[tuple[str, str]]] = {
    "emergency": [
        (
            "Answers calls day and night and sends help in a crisis.",
            "Contesta llamadas de día y de noche y manda ayuda en una crisis.",
        )
    ],
    "trafficking": [
        (
            "Helps survivors of human trafficking with case management, safe places to stay and legal referrals.",
            "Ayuda a sobrevivientes de trata con manejo de casos, lugares seguros y referencias legales.",
        )
    ],
    "safety": [
        (
            "Safety planning, emergency shelter and support groups for survivors of domestic violence.",
            "Planes de seguridad, refugio de emergencia y grupos de apoyo para sobrevivientes de violencia doméstica.",
        ),
        (
            "Advocates help you make a safety plan and go with you to court.",
            "Intercesores le ayudan a hacer un plan de seguridad y le acompañan a la corte.",
        ),
    ],
    "legal": [("Free lawyers for people with low income.", "Abogados gratis para personas de bajos ingresos.")],
    "legal.protective_order": [
        ("Help filing for a protective order or restraining order.", "Ayuda para pedir una orden de protección.")
    ],
    "legal.record_relief": [
        (
            "Vacatur and expungement of criminal records for trafficking survivors.",
            "Anulación y borrado de antecedentes penales para sobrevivientes de trata.",
        )
    ],
    "legal.immigration": [
        (
            "Immigration lawyers for T visas, U visas and VAWA petitions.",
            "Abogados de inmigración para visas T, visas U y peticiones VAWA.",
        )
    ],
    "legal.family": [("Help with custody, divorce and child support.", "Ayuda con custodia, divorcio y manutención.")],
    "legal.housing": [
        ("Tenant lawyers who stop evictions and fix unsafe rentals.", "Abogados de inquilinos que detienen desalojos.")
    ],
    "credit": [("Free credit counseling and debt help.", "Asesoría de crédito y ayuda con deudas gratis.")],
    "credit.reports": [
        (
            "Help fixing your credit report and blocking debts caused by trafficking.",
            "Ayuda para corregir su reporte de crédito y bloquear deudas causadas por la trata.",
        )
    ],
    "credit.identity_theft": [
        ("Recover from identity theft and coerced debt.", "Recupérese del robo de identidad y de deudas forzadas.")
    ],
    "childcare": [
        (
            "Affordable child care and after-school programs for working parents.",
            "Cuidado de niños económico y programas después de la escuela para padres que trabajan.",
        )
    ],
    "work": [("Know your rights at work.", "Conozca sus derechos en el trabajo.")],
    "work.wages": [("Recover unpaid wages and overtime.", "Recupere salarios y horas extra no pagados.")],
    "work.safety": [
        (
            "Report unsafe working conditions and injuries at work.",
            "Reporte condiciones de trabajo peligrosas y lesiones en el trabajo.",
        )
    ],
    "work.discrimination": [
        ("Help with discrimination and harassment at work.", "Ayuda con discriminación y acoso en el trabajo.")
    ],
    "housing": [
        (
            "Emergency shelter and transitional housing for families.",
            "Refugio de emergencia y vivienda de transición para familias.",
        )
    ],
    "food": [
        (
            "Free groceries, diapers and baby formula every week.",
            "Comida, pañales y fórmula para bebés gratis cada semana.",
        )
    ],
    "online": [
        ("Help when someone threatens or harasses you online.", "Ayuda cuando alguien le amenaza o acosa en internet.")
    ],
    "online.image_removal": [
        (
            "Help removing intimate images shared without consent.",
            "Ayuda para quitar imágenes íntimas compartidas sin permiso.",
        )
    ],
    "online.report": [
        ("Report online exploitation and sextortion.", "Reporte la explotación y sextorsión en internet.")
    ],
    "money": [("Money coaching and public benefits help.", "Asesoría de dinero y ayuda con beneficios públicos.")],
    "money.budget": [("Free budgeting and banking classes.", "Clases gratis de presupuesto y banca.")],
    "money.jobs": [("Job training, resume help and GED classes.", "Capacitación laboral, currículum y clases de GED.")],
    "money.business": [("Small business classes and microloans.", "Clases para pequeños negocios y micropréstamos.")],
    "health": [("Medical care on a sliding scale.", "Atención médica según sus ingresos.")],
    "health.mental": [
        ("Counseling for trauma, anxiety and depression.", "Consejería para trauma, ansiedad y depresión.")
    ],
    "health.substance": [
        (
            "Treatment and recovery support for alcohol and drug use.",
            "Tratamiento y apoyo de recuperación para el alcohol y las drogas.",
        )
    ],
    "health.care": [("Primary care, dental care and prenatal visits.", "Atención primaria, dental y prenatal.")],
    "help_others": [
        (
            "Training for neighbours, employers and schools on spotting trafficking.",
            "Capacitación para vecinos, empleadores y escuelas para reconocer la trata.",
        )
    ],
}
_PATRONS = (
    "Hope",
    "New Beginnings",
    "Harbor",
    "Bridges",
    "Unity",
    "Lighthouse",
    "Open Door",
    "Cornerstone",
    "Esperanza",
    "Nuevo Amanecer",
    "Sunrise",
    "Safe Haven",
    "Compass",
    "Anchor",
    "Pathways",
    "Oasis",
    "St. Mary's",
    "St. Vincent",
    "Good Shepherd",
    "Grace",
    "Mercy",
    "Bethany",
    "Catholic Charities",
    "YWCA",
    "Salvation Army",
    "Urban League",
    "Family Promise",
    "Interfaith",
    "Neighbors",
    "Legacy",
)
_STREETS = (
    "Main St",
    "Oak Ave",
    "Elm St",
    "Church St",
    "Washington Ave",
    "Park Rd",
    "Maple Dr",
    "Lincoln Blvd",
    "Broadway",
    "Market St",
    "Center St",
    "Pine St",
    "Cedar Ln",
    "River Rd",
    "Hill St",
    "1st Ave",
)
_AREA_CODES = (
    201,
    202,
    205,
    206,
    210,
    212,
    213,
    214,
    215,
    216,
    303,
    305,
    312,
    313,
    314,
    317,
    402,
    404,
    405,
    406,
    407,
    410,
    412,
    415,
    501,
    502,
    503,
    504,
    505,
    512,
    515,
    602,
    612,
    614,
    615,
    617,
    702,
    713,
    801,
    802,
    804,
    808,
    816,
    907,
    913,
    916,
    919,
    971,
)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def _hours_pattern(rng: random.Random, zone: str) -> str | dict[str, str] | None:
    """Hours as maintainers write them: office hours mostly, some 24/7, some overnight, some unknown."""
    roll = rng.random()
    if roll < 0.12:
        return "24/7"
    if roll < 0.22:
        return None
    if roll < 0.30:  # an overnight shelter
        return {"timezone": zone, **dict.fromkeys((*_WEEKDAYS, "sat", "sun"), "18:00-08:00")}
    start, end = rng.choice((("08:00", "16:30"), ("08:30", "17:00"), ("09:00", "17:00"), ("10:00", "18:00")))
    hours = {"timezone": zone}
    for day in _WEEKDAYS:
        if rng.random() < 0.9:
            hours[day] = f"{start}-12:00, 13:00-{end}" if rng.random() < 0.2 else f"{start}-{end}"
    if rng.random() < 0.35:
        hours["sat"] = "09:00-13:00"
    if len(hours) == 1:
        hours["wed"] = "10:00-14:00"
    return hours


@dataclass(frozen=True)
class _Places:
    """Real places, grouped the ways areas need them."""

    places: list[Place]
    by_county: dict[tuple[str, str], list[Place]]


def _places() -> _Places:
    """Every ZIP with a state, county and time zone, from the bot's own ZIP data (no extra memory)."""
    usable = [
        p
        for p in zip_index().by_zip.values()
        if p.state in STATE_NAMES and p.county and p.timezone and p.city and p.zip
    ]
    usable.sort(key=lambda p: p.zip or "")
    by_county: dict[tuple[str, str], list[Place]] = defaultdict(list)
    for place in usable:
        by_county[place.state or "", place.county or ""].append(place)
    return _Places(usable, by_county)


def _text(rng: random.Random, en: str, es: str) -> str | dict[str, str]:
    """Most services publish both languages; some only English (a plain string, as data/README.md allows)."""
    return {"en": en, "es": es} if rng.random() < 0.7 else en


def _area(rng: random.Random, place: Place, geo: _Places) -> dict[str, Any]:
    """An area of every kind data/README.md allows, around ``place``."""
    roll = rng.random()
    spelling = zip_index().counties[place.state or ""][county_key(place.county or "")]  # as validation writes it
    county = {"state": place.state, "county": spelling}
    if roll < 0.15:
        return {"states": [place.state]}
    if roll < 0.45:
        return {"counties": [county]}
    if roll < 0.70:
        neighbours = geo.by_county[place.state or "", place.county or ""]
        zips = sorted({place.zip or ""} | {p.zip or "" for p in rng.sample(neighbours, min(len(neighbours), 6))})
        return {"zips": zips}
    if roll < 0.95:
        return {
            "radius": {
                "latitude": round(place.latitude, 4),
                "longitude": round(place.longitude, 4),
                "miles": rng.choice((5, 10, 15, 25, 40, 60)),
            }
        }
    return {"counties": [county], "zips": [place.zip]}


def _service(i: int, rng: random.Random, geo: _Places) -> dict[str, Any]:
    """One made-up local service, as the YAML mapping data/README.md describes."""
    place = rng.choice(geo.places)
    picked = [rng.choice(sorted(topics.ALL_TOPICS))]
    for _ in range(rng.choice((0, 0, 1, 2))):
        extra = rng.choice(sorted(topics.ALL_TOPICS))
        if extra not in picked:
            picked.append(extra)
    top = topics.parent_of(picked[0]) or picked[0]
    kind_en, kind_es = rng.choice(_KINDS[top])
    patron = rng.choice(_PATRONS)
    city = place.city or ""
    name = _text(rng, f"{patron} {kind_en} of {city.title()}", f"{kind_es} {patron} de {city.title()}")
    does = [rng.choice(_DOES[t]) for t in picked[:2]]
    description = _text(rng, " ".join(d[0] for d in does), " ".join(d[1] for d in does))
    slug = f"svc-{i:06d}"
    phones: list[dict[str, Any]] = []
    area_code = rng.choice(_AREA_CODES)
    for k in range(rng.choice((1, 1, 2, 3))):
        number = f"{area_code}-555-01{(i + k) % 100:02d}"
        if k == 1 and rng.random() < 0.3:
            phones.append({"number": number, "kind": "sms", "keyword": "HELP"})
        else:
            phones.append({"number": number, "always_open": True} if rng.random() < 0.1 else {"number": number})
    service: dict[str, Any] = {
        "id": slug,
        "name": name,
        "description": description,
        "topics": picked,
        "phones": phones,
        "website": f"https://example.org/{slug}",
        "area": _area(rng, place, geo),
        "source": f"https://example.org/{slug}/about",
        "verified": (VERIFIED_BEFORE - dt.timedelta(days=rng.randrange(600))).isoformat(),
    }
    if rng.random() < 0.6:
        service["organization"] = f"org-{i // 7:05d}"
    if rng.random() < 0.5:
        service["languages"] = ["en", "es"] if rng.random() < 0.7 else ["en"]
    if rng.random() < 0.4:
        service["cost"] = {"en": "Free", "es": "Gratis"}
    if (hours := _hours_pattern(rng, place.timezone or "America/New_York")) is not None:
        service["hours"] = hours
    if rng.random() < 0.7:
        street = f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)}"
        service["locations"] = [
            {"address": {"street": street, "city": city.title(), "state": place.state, "zip": place.zip}}
        ]
    return service


def service_dicts(n: int = DEFAULT_SERVICES, seed: int = 2026) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``n`` local services (and their organizations) as YAML mappings; the same seed gives the same directory."""
    rng = random.Random(seed)
    geo = _places()
    services = [_service(i, rng, geo) for i in range(n)]
    org_ids = sorted({s["organization"] for s in services if "organization" in s})
    organizations = [{"id": org, "name": f"{rng.choice(_PATRONS)} Network {org[4:]}"} for org in org_ids]
    return organizations, services


# -- entries, without going through YAML ----------------------------------------------------------
def _translated(value: str | dict[str, str]) -> dict[str, str]:
    return {"en": value} if isinstance(value, str) else dict(value)


def _entry(raw: dict[str, Any]) -> ServiceEntry:
    """What validation would make of ``raw`` (checked against it by the smoke test)."""
    locations = []
    for loc in raw.get("locations", ()):
        address = loc["address"]
        place = zip_index().by_zip[address["zip"]]
        locations.append(
            LocationEntry(
                {},
                address["street"],
                address["city"],
                address["state"],
                address["zip"],
                place.latitude,
                place.longitude,
            )
        )
    return ServiceEntry(
        id=raw["id"],
        name=_translated(raw["name"]),
        description=_translated(raw["description"]),
        topics=tuple(raw["topics"]),
        area=shared_area(raw["area"]),
        source_url=raw["source"],
        last_verified=dt.date.fromisoformat(raw["verified"]),
        organization=raw.get("organization"),
        phones=tuple(
            PhoneEntry(p["number"], p.get("kind", "voice"), p.get("keyword"), p.get("always_open", False))
            for p in raw["phones"]
        ),
        website=raw["website"],
        languages=tuple(raw.get("languages", ())),
        cost=_translated(raw["cost"]) if "cost" in raw else {},
        hours=shared_hours(raw.get("hours")),
        locations=tuple(locations),
    )


def national_entries() -> tuple[list[OrganizationEntry], list[ServiceEntry]]:
    """The real national services of ``data/``, validated as the bot loads them."""
    validation = validate_paths([data_dir()])
    if not validation.ok:
        raise RuntimeError("\n".join(map(str, validation.problems)))
    return validation.organizations, [s for s in validation.services if s.status == "active"]


def entries(n: int = DEFAULT_SERVICES, seed: int = 2026) -> tuple[list[OrganizationEntry], list[ServiceEntry]]:
    """The real national services followed by ``n`` synthetic local ones, as validated entries."""
    organizations, national = national_entries()
    org_dicts, services = service_dicts(n, seed)
    organizations = organizations + [OrganizationEntry(o["id"], {"en": o["name"]}) for o in org_dicts]
    return organizations, national + [_entry(s) for s in services]


def build_catalog(n: int = DEFAULT_SERVICES, seed: int = 2026) -> Catalog:
    """A catalog as :func:`~resource_bot.directory.catalog_db.read_catalog` would build it, without a database."""
    organizations, services = entries(n, seed)
    names = {org.id: org.name for org in organizations}
    return Catalog.from_entries(services, names)


# -- YAML files -----------------------------------------------------------------------------------
_PLAIN = re.compile(r"[A-Za-z][\w .'/-]*")
_RESERVED = frozenset({"yes", "no", "on", "off", "true", "false", "null", "y", "n"})


def _scalar(value: Any) -> str:
    """Plain where a maintainer would write it plain, else double-quoted (a JSON string is valid YAML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if _PLAIN.fullmatch(value) and value.casefold() not in _RESERVED and not value.endswith(" "):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _emit(value: Any, indent: int) -> Iterator[str]:
    """Block-style YAML, as a maintainer writes it; short lists of scalars inline, like the real files."""
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item and not _inline(item):
                yield f"{pad}{key}:"
                yield from _emit(item, indent + 2)
            else:
                yield f"{pad}{key}: {_flow(item)}"
    else:
        for item in value:
            lines = list(_emit(item, indent + 2)) if isinstance(item, dict) else [f"{pad}  {_flow(item)}"]
            yield f"{pad}- {lines[0].lstrip()}"
            yield from lines[1:]


def _inline(value: dict[str, Any] | list[Any]) -> bool:
    items = value.values() if isinstance(value, dict) else value
    return all(not isinstance(v, dict | list) for v in items) and len(items) <= 8


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _chunks(items: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_yaml(folder: Path, n: int = DEFAULT_SERVICES, seed: int = 2026, *, national: bool = True) -> list[Path]:
    """Write ``n`` synthetic services as data files in ``folder`` (which must be under a ``tests`` folder).

    With ``national``, the real ``data/*.yaml`` files are copied in too, so the
    load is of a whole directory, national hotlines included.
    """
    folder = folder.resolve()
    if "tests" not in folder.parts:
        raise ValueError(f"{folder}: synthetic services use 555-01xx numbers, so they live under a `tests` folder")
    folder.mkdir(parents=True, exist_ok=True)
    organizations, services = service_dicts(n, seed)
    written = []
    path = folder / "organizations.yaml"
    path.write_text(
        "\n".join(["# Made-up organizations for benchmarks.", "organizations:", *_emit(organizations, 2)]) + "\n",
        encoding="utf-8",
    )
    written.append(path)
    for k, chunk in enumerate(_chunks(services, PER_FILE)):
        path = folder / f"local-{k:03d}.yaml"
        lines = ["# Made-up local services for benchmarks: 555-01xx numbers, example.org sites.", "services:"]
        for service in chunk:
            lines.extend(_emit([service], 2))
            lines.append("")
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    if national:
        for real in sorted(data_dir().glob("*.yaml")):
            copy = folder / f"national-{real.name}"
            copy.write_bytes(real.read_bytes())
            written.append(copy)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="where to write; must be under a folder named tests")
    parser.add_argument("--services", type=int, default=DEFAULT_SERVICES)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    files = write_yaml(args.folder, args.services, args.seed)
    print(f"wrote {args.services:,} services in {len(files)} files to {args.folder}")


if __name__ == "__main__":
    main()
