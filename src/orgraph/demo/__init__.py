"""Demo data: a realistic county (宁海县) or city (宁波市) written as the roster files a county
hands over, with deliberate, seeded imperfections for every gap rule of docs/rules.md.

    from orgraph.demo import generate
    summary = generate(Path("demo"), scale="county", seed=1)

Area code scheme: county 6 digits (330226); township 9 = county + 001–099 街道 / 101–199 镇 /
201–299 乡; village 12 = township + 001–199 社区 / 201–399 村; hamlet 15 = village + 001…
("第N组" in a 村, "第N网格" in a 社区). 户编号 = village code + "-" + 4 digits.
组织编号 = "D" + the code of the area served (D330226 县委, D330226101 镇党委,
D330226101201 村党支部/党总支, D330226101201-1 总支下的支部, D330226101-LH1 联合党支部,
D330226-JG 机关工委, D330226-JG01 机关支部, D330226101-JG 乡镇机关支部,
D330226-LD01 流动党员党支部), a party group = its branch id + "-G01".

党员花名册.xlsx has a second sheet, 补报党员, that lists a few members again under a township
organ branch (one at tiny scale, two per county otherwise: 20 for the city): the planted
`member_multi_branch` cases. `DemoSummary.files` counts rows over both sheets,
`counts["members"]` distinct persons.

Where things are (imports go one way, down this list):

  generate.py     `generate()`: build a world, write its rosters and, on request, the samples
  bad_rosters.py  with_errors/: sample rows the importer must reject, expected_errors.json
  rosters.py      the thirteen roster files (names, headers, encodings), written from a World
  build.py        the builder's conductor: the steps below, in a fixed order (the draw order)
  life.py         organisational life (meetings) and dues, and their planted cases, once
                  every county is built (periods.py: months, quarters, checked periods)
  ledgers.py      the 整顿台账, 督查记录 and 党小组工作记录 and their planted cases, last
  first_secretaries.py  第一书记 appointments (the 第一书记 roster) and their planted cases
  planted.py      the villages that carry planted cases, and the cases planted after the fact
  weak_villages.py  the screening's planted weak villages (and the others kept clear of it)
  mobility.py     mobile branches, outflows, reports
  duties.py       village cadres and the responsibility chain (contacts)
  orgs.py         committees, branches, party groups
  households.py   households, and which member lives in which
  areas.py        townships, villages, hamlets
  people.py       members: who they are, who is away, management classes
  state.py        what the steps share: the seeded random sources and the records so far
  model.py        the records, and the built World
  names.py, places.py, ids.py, write.py, expected.py: names, places, ID numbers, byte-stable
                  XLSX/CSV writing, the planted-case record (PlantedCase, NOT_PLANTED)
"""

from orgraph.demo.expected import NOT_PLANTED, PlantedCase
from orgraph.demo.generate import DemoSummary, generate

__all__ = ["NOT_PLANTED", "DemoSummary", "PlantedCase", "generate"]
