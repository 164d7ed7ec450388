"""Reading spreadsheets in kg's layout (kg/seed/sheet.py): an .xlsx with openpyxl, an .ods converted
to .xlsx by LibreOffice headless first, a .csv as one sheet named by its file; and a cell's value as
seed YAML has it, by its column's kind. A formula is refused, except TRUE() and FALSE() (which
LibreOffice writes for a boolean cell); a workbook is bounded (its bytes unpacked, its rows).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.seed.sheet import LISTS, Column

#: bounds on a workbook read (a zip expands): its bytes unpacked, and its rows
MAX_UNPACKED_BYTES = 512 << 20
MAX_ROWS = 1_000_000


class Formula(str):
    """A cell that holds a formula (its text): kg reads values, never formulas."""


@dataclass
class Table:
    """One sheet as read: its header and its rows (the row's number in the sheet, its cells)."""

    file: str  # the file's name, as problems name it
    name: str  # the sheet's name
    header: list[Any]
    rows: list[tuple[int, list[Any]]]
    csv: bool = False

    def where(self, row: int | None = None, column: str | None = None) -> str:
        parts = [] if self.csv else [f"sheet {self.name}"]
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column {column}")
        return f"{self.file}: {', '.join(parts)}" if parts else self.file


def read_tables(path: Path, display: str | None = None) -> list[Table]:
    """The sheets of an .xlsx, an .ods (converted by LibreOffice) or a .csv (one sheet, named by
    the file: `Statement.csv`)."""
    name = display or path.name
    suffix = path.suffix.lower()
    if not path.is_file():
        raise KgError(f"{name}: no such file")
    if suffix == ".csv":
        return [_read_csv(path, name)]
    if suffix == ".ods":
        with tempfile.TemporaryDirectory(prefix="kg-ods-") as tmp:
            return _read_xlsx(convert(path, Path(tmp), "xlsx"), name)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, name)
    raise KgError(f"{name}: not a spreadsheet kg reads (.xlsx, .ods or .csv)")


def _read_csv(path: Path, name: str) -> Table:
    if path.stat().st_size > MAX_UNPACKED_BYTES:
        raise KgError(f"{name}: {path.stat().st_size >> 20} MB, over the {MAX_UNPACKED_BYTES >> 20} MB kg reads")
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except UnicodeDecodeError as e:
        raise KgError(f"{name}: not UTF-8 text (byte 0x{e.object[e.start]:02x} at offset {e.start}); save the "
                      "CSV as UTF-8") from None
    except (OSError, csv.Error) as e:
        raise KgError(f"{name}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    if not rows:
        raise KgError(f"{name}: empty; a CSV is one sheet, with its header in the first row")
    if len(rows) > MAX_ROWS:
        raise KgError(f"{name}: over {MAX_ROWS} rows")
    return Table(name, path.stem, rows[0], [(i, [v if v != "" else None for v in r])
                                             for i, r in enumerate(rows[1:], 2) if any(v.strip() for v in r)],
                 csv=True)


def _value(cell: Any) -> Any:
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and cell.data_type != "s" and value.startswith("=")):
        upper = str(value).replace(" ", "").upper()
        if upper in ("=TRUE()", "=TRUE"):
            return True
        if upper in ("=FALSE()", "=FALSE"):
            return False
        return Formula(str(value))
    return value


def _read_xlsx(path: Path, name: str) -> list[Table]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile) as e:
        raise KgError(f"{name}: not a workbook kg can read ({e})") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise KgError(f"{name}: unpacks to {unpacked >> 20} MB, over the {MAX_UNPACKED_BYTES >> 20} MB kg reads")
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as e:  # openpyxl raises many kinds for a broken or foreign file
        raise KgError(f"{name}: not a workbook kg can read ({type(e).__name__}: {e})") from None
    tables = []
    try:
        for ws in book.worksheets:
            if ws.title == LISTS:
                continue
            rows: list[tuple[int, list[Any]]] = []
            header: list[Any] | None = None
            for number, cells in enumerate(ws.iter_rows(), 1):
                values = [_value(c) for c in cells]
                if header is None:
                    if any(v is not None for v in values):
                        header = values
                    continue
                if number > MAX_ROWS:
                    raise KgError(f"{name}: sheet {ws.title} has over {MAX_ROWS} rows")
                if any(v is not None and v != "" for v in values):
                    rows.append((number, values))
            if header is not None:
                tables.append(Table(name, ws.title, header, rows))
    finally:
        book.close()
    return tables


def soffice() -> str:
    """LibreOffice's command, or a KgError saying how to get it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise KgError("reading or writing .ods needs LibreOffice (`soffice`; Debian's libreoffice-calc-nogui); "
                      "or save the sheet as .xlsx")
    return found


def convert(path: Path, folder: Path, to: str, timeout: float = 300) -> Path:
    """`path` converted by LibreOffice, headless, into `folder` (`to`: xlsx, ods); with a profile of
    its own, so that it runs beside a LibreOffice a person has open."""
    profile = Path(tempfile.mkdtemp(prefix="kg-soffice-"))
    try:
        proc = subprocess.run([soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                               "--convert-to", to, "--outdir", str(folder), str(path)],
                              capture_output=True, text=True, timeout=timeout, check=False,
                              env={**os.environ, "HOME": str(profile)})
    except subprocess.TimeoutExpired:
        raise KgError(f"{path.name}: LibreOffice did not convert it within {timeout:.0f}s") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = folder / f"{path.stem}.{to}"
    if proc.returncode != 0 or not out.is_file():
        why = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or ["no output"]
        raise KgError(f"{path.name}: LibreOffice could not convert it to .{to} ({why[0]})")
    return out


# --- cells to values ---------------------------------------------------------------------------

def text_of(value: Any) -> str:
    """A cell as text: a number as written (3, not 3.0), a date as an ISO date."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_cell(column: Column, value: Any) -> Any:
    """A cell's value as seed YAML has it (ValueError saying what is wrong)."""
    if isinstance(value, Formula):
        raise ValueError(f"a formula ({value[:40]}): kg reads values, never formulas; write the value")
    kind = column.kind
    if kind == "text":
        return text_of(value)
    if kind in ("id", "choice"):
        return text_of(value).strip()
    if kind in ("list", "ids"):
        return [item.strip() for item in text_of(value).split("|") if item.strip()]
    if kind == "date":
        if isinstance(value, datetime | date):
            return (value.date() if isinstance(value, datetime) else value).isoformat()
        return text_of(value).strip()
    if kind == "int":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(f"{value!r} is not a whole number")
        if isinstance(value, int | float):
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a whole number") from None
    if kind == "float":
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a number")
        if isinstance(value, int | float):
            return value
        text = str(value).strip()
        try:
            return int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = text_of(value).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise ValueError(f"{value!r} is not true or false")
    raise AssertionError(kind)  # pragma: no cover


def rows_of(table: Table) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each row as column name -> cell (empty cells left out)."""
    names = [text_of(h).strip() if h is not None else None for h in table.header]
    for number, cells in table.rows:
        yield number, {name: v for name, v in zip(names, cells, strict=False) if name and v is not None and v != ""}
