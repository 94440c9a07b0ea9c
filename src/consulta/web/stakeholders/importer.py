"""Importing the stakeholder network (organisations, people, phase audiences) from a table.

One row is one organisation and, optionally, one person in it. An organisation may appear on
several rows (one per person); what those rows say about it must agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from consulta.tables import Table, TableRow
from consulta.web.consultations.audit import (
    BY_CODE,
    STAKEHOLDERS,
    ImportedBy,
    ImportedFile,
    log_import,
)
from consulta.web.consultations.models import Consultation, Phase
from consulta.web.imports import (
    WRITE_BATCH,
    ChangedWhileImporting,
    ImportReport,
    check_email,
    check_lengths,
    load_table,
    match_columns,
    normalise_name,
    row_cells,
    start_report,
    with_fresh_reads,
    write_in_one_transaction,
)
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person, Sector

COLUMNS = ["organisation", "sector", "type", "parent", "name", "email", "job_title", "phases"]
LIMITS = {"organisation": 200, "type": 100, "parent": 200, "name": 200, "email": 254,
          "job_title": 200}
SECTORS = ", ".join(f"“{sector.value}”" for sector in Sector)


@dataclass
class _Org:
    key: str
    name: str
    row: int
    existing: Organisation | None
    sector: str = ""
    sector_row: int = 0
    sector_unreadable: bool = False  # already reported; "needs a sector" would repeat it
    type: str = ""
    type_row: int = 0
    parent: str = ""  # normalised name of the parent
    parent_row: int = 0
    phases: list[Phase] = field(default_factory=list)


@dataclass
class _Person:
    row: int
    org_key: str
    name: str
    email: str
    job_title: str
    existing: Person | None
    phases: list[Phase]


@dataclass
class _Plan:
    orgs: dict[str, _Org] = field(default_factory=dict)
    people: list[_Person] = field(default_factory=list)


class _Network:
    """The consultation's network as it is before the import, and its ``signature``: what the
    import must find unchanged when it comes to write."""

    def __init__(self, consultation: Consultation) -> None:
        self.consultation = consultation
        self.phases = list(consultation.phases.all())
        orgs = list(consultation.organisations.order_by("pk"))
        self.orgs = {normalise_name(org.name): org for org in orgs}
        names_by_id = {org.pk: normalise_name(org.name) for org in orgs}
        self.parents = {
            normalise_name(org.name): names_by_id[org.parent_id] for org in orgs if org.parent_id
        }
        people = list(consultation.people.order_by("pk"))
        self.by_email = {p.email.lower(): p for p in people if p.email}
        self.by_name = {
            (p.organisation_id, p.name.lower()): p for p in people if p.name and not p.email
        }
        audience = _audience(consultation)
        self.audience_people = set(audience[0])
        self.audience_orgs = set(audience[1])
        self.signature = (
            [phase.pk for phase in self.phases],
            [tuple(getattr(org, name) for name in ORG_FIELDS) for org in orgs],
            [tuple(getattr(person, name) for name in PERSON_FIELDS) for person in people],
            *audience,
        )


ORG_FIELDS = ("pk", "name", "sector", "type", "parent_id")
PERSON_FIELDS = ("pk", "name", "email", "organisation_id", "job_title")


def _audience(consultation: Consultation) -> tuple[list, list]:
    """The phases' audiences: (phase, person) pairs, and (phase, organisation) pairs."""
    members = AudienceMember.objects.filter(phase__consultation=consultation).order_by("pk")
    return (list(members.filter(person__isnull=False).values_list("phase_id", "person_id")),
            list(members.filter(person__isnull=True).values_list("phase_id", "organisation_id")))


def _signature_now(consultation: Consultation) -> tuple:
    """The network's signature as the database holds it now (see ``_Network``)."""
    return (
        list(consultation.phases.values_list("pk", flat=True)),
        list(consultation.organisations.order_by("pk").values_list(*ORG_FIELDS)),
        list(consultation.people.order_by("pk").values_list(*PERSON_FIELDS)),
        *_audience(consultation),
    )


@dataclass
class _Writes:
    """Everything the import writes, staged in memory: unsaved rows, and changed ones."""

    new_orgs: list[Organisation] = field(default_factory=list)
    changed_orgs: list[Organisation] = field(default_factory=list)  # new ones with a parent too
    parents: list[tuple[Organisation, Organisation]] = field(default_factory=list)  # child, parent
    new_people: list[Person] = field(default_factory=list)
    changed_people: list[Person] = field(default_factory=list)
    audience: list[AudienceMember] = field(default_factory=list)
    audience_keys: set = field(default_factory=set)


def import_stakeholders(
    consultation: Consultation, data: bytes, filename: str, *, max_bytes: int | None = None,
    by: ImportedBy = BY_CODE,
) -> ImportReport:
    """Add or update organisations, people and phase audiences from an uploaded table.

    All or nothing: every row is checked before anything is written. When there is any
    problem this raises ``ImportRefused`` (its ``report`` lists every problem by row and
    column) and the database is unchanged. Otherwise it returns the report with the counts,
    which the audit trail keeps with the file's fingerprint and ``by``.
    ``max_bytes`` defaults to ``settings.CONSULTA_MAX_IMPORT_BYTES``.
    """
    table = load_table(data, filename, max_bytes)
    columns = match_columns(
        table.headers, {name: name for name in COLUMNS}, required=["organisation"]
    )
    file = ImportedFile.of(data, filename)
    return with_fresh_reads(lambda: _import(consultation, table, columns, file, by), "network")


def _import(consultation: Consultation, table: Table, columns: dict[str, str],
            file: ImportedFile, by: ImportedBy) -> ImportReport:
    report = start_report(table)
    # Read and check outside any transaction: a big file takes seconds, and on SQLite a
    # transaction that writes holds the one write lock everyone else waits for.
    network = _Network(consultation)
    plan = _Plan()
    for row in table.rows:
        _read_row(row, columns, network, plan, report)
    _check_plan(plan, network, columns, report)
    writes = _stage(plan, network, report) if report.ok else _Writes()

    def write() -> None:
        if _signature_now(consultation) != network.signature:
            raise ChangedWhileImporting
        _write(writes)
        log_import(consultation, STAKEHOLDERS, file, report.counts, by)

    write_in_one_transaction(report, write, "network")
    return report


def _read_row(row: TableRow, columns: dict[str, str], network: _Network, plan: _Plan,
              report: ImportReport) -> None:
    cells = row_cells(row, columns)
    problems = len(report.errors)
    check_lengths(report, row, cells, columns, LIMITS)
    org_name = cells["organisation"]
    if not org_name:
        report.error(row.number, columns["organisation"], "The organisation is missing.")
    phases = _phases(cells.get("phases", ""), row, columns, network, report)
    if len(report.errors) > problems:
        return
    key = normalise_name(org_name)
    org = plan.orgs.get(key)
    if org is None:
        org = plan.orgs[key] = _Org(key, org_name, row.number, network.orgs.get(key))
    _merge_org(org, cells, row, columns, report)
    name, email = cells.get("name", ""), cells.get("email", "")
    job_title = cells.get("job_title", "")
    if email and not check_email(report, row, columns["email"], email):
        return
    if name or email:
        plan.people.append(_Person(row.number, key, name, email, job_title, None, phases))
    elif job_title:
        report.error(row.number, columns["job_title"],
                     "A job title needs a person: give a name or an email on this row.")
    else:
        org.phases += [phase for phase in phases if phase not in org.phases]


def _merge_org(org: _Org, cells: dict[str, str], row: TableRow, columns: dict[str, str],
               report: ImportReport) -> None:
    """Take what this row says about the organisation; rows must not contradict each other."""
    if cells.get("sector"):
        sector = Sector.parse(cells["sector"])
        if sector is None:
            org.sector_unreadable = True
            report.error(row.number, columns["sector"],
                         f"“{cells['sector']}” is not a sector. Use one of {SECTORS}.")
        elif org.sector and org.sector != sector:
            report.error(row.number, columns["sector"],
                         f"“{org.name}” is given two different sectors: {org.sector} "
                         f"(row {org.sector_row}) and {sector.value}.")
        else:
            org.sector, org.sector_row = sector.value, org.sector_row or row.number
    if cells.get("type"):
        if org.type and org.type.lower() != cells["type"].lower():
            report.error(row.number, columns["type"],
                         f"“{org.name}” is given two different types: “{org.type}” "
                         f"(row {org.type_row}) and “{cells['type']}”.")
        else:
            org.type, org.type_row = cells["type"], org.type_row or row.number
    if cells.get("parent"):
        parent = normalise_name(cells["parent"])
        if parent == org.key:
            report.error(row.number, columns["parent"],
                         "An organisation cannot be its own parent.")
        elif org.parent and org.parent != parent:
            report.error(row.number, columns["parent"],
                         f"“{org.name}” is given two different parents (see row {org.parent_row}).")
        else:
            org.parent, org.parent_row = parent, org.parent_row or row.number


def _phases(text: str, row: TableRow, columns: dict[str, str], network: _Network,
            report: ImportReport) -> list[Phase]:
    phases = []
    for part in text.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= len(network.phases):
            report.error(row.number, columns["phases"],
                         f"There is no phase “{part}”: this consultation has phases 1 to "
                         f"{len(network.phases)}." if network.phases else
                         "This consultation has no phases yet.")
            continue
        phases.append(network.phases[int(part) - 1])
    return phases


def _check_plan(plan: _Plan, network: _Network, columns: dict[str, str],
                report: ImportReport) -> None:
    """Checks that need every row: new organisations, parents, people named twice."""
    sector_column = columns.get("sector", "sector")
    for org in plan.orgs.values():
        if org.existing is None and not org.sector and not org.sector_unreadable:
            report.error(org.row, sector_column,
                         f"“{org.name}” is new to the network, so it needs a sector "
                         f"({SECTORS}).")
        if org.parent and org.parent not in plan.orgs and org.parent not in network.orgs:
            report.error(org.parent_row, columns["parent"],
                         "This parent organisation is neither in the file nor in the network.")
    _check_cycles(plan, network, columns, report)
    _match_people(plan, network, columns, report)


def _check_cycles(plan: _Plan, network: _Network, columns: dict[str, str],
                  report: ImportReport) -> None:
    parents = dict(network.parents)
    parents.update({org.key: org.parent for org in plan.orgs.values() if org.parent})
    for org in plan.orgs.values():
        chain, current = [org.key], parents.get(org.key)
        while current and current not in chain:
            chain.append(current)
            current = parents.get(current)
        if current == org.key and org.parent:
            names = " → ".join(_display(key, plan, network) for key in chain + [org.key])
            report.error(org.parent_row, columns["parent"],
                         f"These parents would go round in a circle: {names}.")


def _display(key: str, plan: _Plan, network: _Network) -> str:
    if key in plan.orgs:
        return f"“{plan.orgs[key].name}”"
    return f"“{network.orgs[key].name}”" if key in network.orgs else f"“{key}”"


def _match_people(plan: _Plan, network: _Network, columns: dict[str, str],
                  report: ImportReport) -> None:
    """Find each person in the network (by email, else by name in the same organisation)."""
    first_row: dict[object, int] = {}
    for person in plan.people:
        org = plan.orgs[person.org_key]
        if person.email:
            seen_key: object = person.email.lower()
            person.existing = network.by_email.get(person.email.lower())
        else:
            seen_key = (person.org_key, person.name.lower())
            if org.existing is not None:
                person.existing = network.by_name.get((org.existing.pk, person.name.lower()))
        if seen_key in first_row:
            column = columns["email"] if person.email else columns["name"]
            report.error(person.row, column,
                         f"This person already appears in row {first_row[seen_key]}.")
        first_row.setdefault(seen_key, person.row)


def _stage(plan: _Plan, network: _Network, report: ImportReport) -> _Writes:
    """What to write, as unsaved or changed rows, counted as they will be written."""
    writes = _Writes()
    saved: dict[str, Organisation] = {}
    for org in plan.orgs.values():
        if org.existing is None:
            saved[org.key] = Organisation(
                consultation=network.consultation, name=org.name, sector=org.sector, type=org.type
            )
            writes.new_orgs.append(saved[org.key])
            report.count("organisations created")
        else:
            saved[org.key] = org.existing
    for org in plan.orgs.values():
        instance = saved[org.key]
        changed = org.existing is not None and _change(
            instance, {"sector": org.sector, "type": org.type})
        if org.parent:
            parent = saved.get(org.parent) or network.orgs[org.parent]
            if parent.pk is None or instance.parent_id != parent.pk:
                writes.parents.append((instance, parent))  # set once both have keys
                changed = True
        if changed:
            writes.changed_orgs.append(instance)
        if org.existing is not None:
            report.count("organisations updated" if changed else "organisations unchanged")
        for phase in org.phases:
            _add_to_audience(writes, network, report, phase, organisation=instance)
    for person in plan.people:
        instance = _stage_person(person, saved[person.org_key], network, writes, report)
        for phase in person.phases:
            _add_to_audience(writes, network, report, phase, person=instance)
    return writes


def _change(instance, values: dict[str, str]) -> bool:
    """Set the given non-empty values that differ; whether any did."""
    changed = False
    for name, value in values.items():
        if value and getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _stage_person(person: _Person, organisation: Organisation, network: _Network,
                  writes: _Writes, report: ImportReport) -> Person:
    if person.existing is None:
        report.count("people created")
        instance = Person(
            consultation=network.consultation, name=person.name, email=person.email,
            organisation=organisation, job_title=person.job_title,
        )
        writes.new_people.append(instance)
        return instance
    instance = person.existing
    changed = _change(instance, {"name": person.name, "job_title": person.job_title})
    if organisation.pk is None or instance.organisation_id != organisation.pk:
        instance.organisation = organisation
        changed = True
    if changed:
        writes.changed_people.append(instance)
    report.count("people updated" if changed else "people unchanged")
    return instance


def _add_to_audience(writes: _Writes, network: _Network, report: ImportReport, phase: Phase,
                     *, organisation: Organisation | None = None,
                     person: Person | None = None) -> None:
    """Add a person, or an organisation as a whole, to a phase's audience unless already in."""
    member = person or organisation
    if member.pk is not None:
        existing = network.audience_people if person else network.audience_orgs
        if (phase.pk, member.pk) in existing:
            return
    key = (phase.pk, "person" if person else "organisation", id(member))
    if key in writes.audience_keys:
        return
    writes.audience_keys.add(key)
    writes.audience.append(AudienceMember(phase=phase, organisation=organisation, person=person))
    report.count("audience members added")


def _write(writes: _Writes) -> None:
    """Bulk writes in dependency order: bulk_create gives each new row its key (PostgreSQL and
    SQLite both return them), which the rows pointing at it then pick up."""
    Organisation.objects.bulk_create(writes.new_orgs, batch_size=WRITE_BATCH)
    for child, parent in writes.parents:
        child.parent = parent
    Organisation.objects.bulk_update(writes.changed_orgs, ["sector", "type", "parent"],
                                     batch_size=WRITE_BATCH)
    Person.objects.bulk_create(writes.new_people, batch_size=WRITE_BATCH)
    Person.objects.bulk_update(writes.changed_people, ["name", "job_title", "organisation"],
                               batch_size=WRITE_BATCH)
    AudienceMember.objects.bulk_create(writes.audience, batch_size=WRITE_BATCH)
