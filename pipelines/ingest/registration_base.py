"""The registration authority's base data (USCC ↔ legacy codes), landed beside the feeds."""

import csv

import dagster as dg
from psycopg import sql

from credit import settings
from pipelines.resources import WarehouseResource

BASE_FILE = "registration/registration_base.csv"
#: Columns entity resolution needs; the extract may carry more, which are kept.
REQUIRED_COLUMNS = ("uscc", "registration_number", "org_code", "name")


@dg.asset(
    key=["raw", "registration_base"],
    group_name="reference_data",
    kinds={"postgres", "csv"},
    description="Registration base data: each USCC with the registration number and organisation "
                "code it replaced. Entity resolution maps legacy codes through it.",
)
def registration_base(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    path = settings.landing_dir() / BASE_FILE
    columns = list(REQUIRED_COLUMNS)
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{path}, row 1: registration base data lacks column(s) {', '.join(missing)}")
        columns = header
    with warehouse.connect() as conn:
        conn.execute("create schema if not exists raw")
        # The base data is a full extract each time: replace it in one transaction.
        conn.execute("drop table if exists raw.registration_base")
        conn.execute(sql.SQL("create table raw.registration_base ({})").format(
            sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in columns)))
        rows = 0
        if path.exists():
            with path.open("rb") as handle, conn.cursor().copy(
                "copy raw.registration_base from stdin with (format csv, header true)"
            ) as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            rows = conn.execute("select count(*) from raw.registration_base").fetchone()[0]
        else:
            context.log.warning(f"no registration base data at {path}; legacy codes will not map to USCCs")
        conn.commit()
    return dg.MaterializeResult(metadata={"rows": rows, "path": str(path)})
