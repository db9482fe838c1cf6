"""The registration authority's base data (USCC ↔ legacy codes), landed beside the feeds."""

import dagster as dg

from credit import settings
from pipelines.resources import WarehouseResource

BASE_FILE = "registration/registration_base.csv"
COLUMNS = ("uscc", "registration_number", "org_code", "name")


@dg.asset(
    key=["raw", "registration_base"],
    group_name="reference_data",
    kinds={"postgres", "csv"},
    description="Registration base data: each USCC with the registration number and organisation "
                "code it replaced. Entity resolution maps legacy codes through it.",
)
def registration_base(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    path = settings.landing_dir() / BASE_FILE
    with warehouse.connect() as conn:
        conn.execute("create schema if not exists raw")
        conn.execute(f"create table if not exists raw.registration_base ({', '.join(c + ' text' for c in COLUMNS)})")
        # The base data is a full extract each time: replace it in one transaction.
        conn.execute("truncate raw.registration_base")
        rows = 0
        if path.exists():
            with path.open("rb") as handle, conn.cursor().copy(
                "copy raw.registration_base from stdin with (format csv, header match)"
            ) as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            rows = conn.execute("select count(*) from raw.registration_base").fetchone()[0]
        else:
            context.log.warning(f"no registration base data at {path}; legacy codes will not map to USCCs")
        conn.commit()
    return dg.MaterializeResult(metadata={"rows": rows, "path": str(path)})
