"""nodes.csv and edges.csv, as Gephi's spreadsheet import reads them, written into a folder."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .projection import Projection, check_language, edge_columns, node_columns


def _csv_cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_tables(projection: Projection, lang: str = "en") -> dict[str, bytes]:
    """nodes.csv and edges.csv as Gephi's spreadsheet import reads them (Id, Label; Source, Target, Type...)."""
    keys, node_values = node_columns(projection, lang)
    nodes = io.StringIO()
    writer = csv.writer(nodes, lineterminator="\r\n")
    writer.writerow(["Id", "Label", *(k.name for k in keys if k.name != "label")])
    for n in projection.nodes:
        values = node_values[n.id]
        writer.writerow(
            [n.id, values["label"], *(_csv_cell(values.get(k.name, "")) for k in keys if k.name != "label")]
        )
    edges = io.StringIO()
    writer = csv.writer(edges, lineterminator="\r\n")
    writer.writerow(["Source", "Target", "Type", "Id", "Label", "property"])
    for e in projection.edges:
        columns = edge_columns(projection, e, lang)
        writer.writerow([e.source, e.target, "Directed", e.id, columns["label"], columns["property"]])
    return {"nodes.csv": nodes.getvalue().encode("utf-8"), "edges.csv": edges.getvalue().encode("utf-8")}


def write_csv(projection: Projection, directory: str | Path, lang: str = "en", *, force: bool = False) -> list[Path]:
    """Write nodes.csv and edges.csv into `directory` (output.write_folder: never touching other files)."""
    from ...output import write_folder

    return write_folder(directory, csv_tables(projection, check_language(lang)), force=force)
