"""The briefing as PDF (fpdf2), from the same dict as the HTML page.

The font is DejaVu Sans, embedded (``fonts/``, Bitstream Vera licence), so names in Latin,
Cyrillic and Greek print as written. Arabic letters print unshaped (fpdf2 shapes text only
with the optional HarfBuzz binding, which this build does not require); the Latin reading
of every name is beside it. The marking is printed at the top and bottom of every page.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).parent / "fonts"
_TITLE = re.compile(r"<title>.*?</title>", re.S)


class _Briefing(FPDF):
    def __init__(self, marking: str, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.marking = marking
        self.doc_title = title
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(title)
        self.set_creator("Counterflow")

    def header(self) -> None:
        self.set_font("DejaVu", "B", 8)
        self.set_fill_color(31, 59, 90)
        self.set_text_color(255, 255, 255)
        self.cell(0, 6, self.marking, align="C", fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", "", 7)
        self.cell(
            0, 4, f"{self.doc_title} · page {self.page_no()}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.set_font("DejaVu", "B", 8)
        self.set_fill_color(31, 59, 90)
        self.set_text_color(255, 255, 255)
        self.cell(0, 5, self.marking, align="C", fill=True)
        self.set_text_color(0, 0, 0)

    def h1(self, text: str) -> None:
        self.set_font("DejaVu", "B", 16)
        self.multi_cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def h2(self, text: str) -> None:
        self.ln(3)
        self.set_font("DejaVu", "B", 12)
        self.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(31, 59, 90)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)

    def para(self, text: str, size: float = 9, bold: bool = False) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.multi_cell(0, 4.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(
        self, head: list[str], rows: list[list[str]], widths: tuple[float, ...], size: float = 7
    ) -> None:
        self.set_font("DejaVu", "", size)
        with self.table(
            col_widths=widths, text_align="LEFT", line_height=3.6, first_row_as_headings=True
        ) as t:
            r = t.row()
            for h in head:
                r.cell(h)
            for row in rows:
                r = t.row()
                for cell in row:
                    r.cell(cell)
        self.ln(1)

    def svg(self, svg: str, width: float = 180) -> None:
        # fpdf2 draws shapes and text but not <title> tooltips: leave them out rather than warn.
        plain = _TITLE.sub("", svg)
        self.image(io.BytesIO(plain.encode("utf-8")), w=width)


def _names(items: list[dict[str, Any]]) -> str:
    return ", ".join(str(t["name"]) for t in items) or "none"


def render_pdf(b: dict[str, Any]) -> bytes:
    marking = " · ".join(
        [b["marking"]["classification"]]
        + [
            f"{h['scheme']} {h['code']}" + (f" ({h['conditions']})" if h["conditions"] else "")
            for h in b["marking"]["handling"]
        ]
    )
    case = b["case"]
    pdf = _Briefing(marking, f"Briefing: {case['title']} ({case['id']})")
    pdf.add_page()
    pdf.h1(f"Briefing: {case['title']}")
    pdf.para(
        f"Case {case['id']} · owned by {case['agency']} · produced {b['produced_at']} by {b['produced_by']}. "
        "Shows the material this reader may see; another reader's briefing may differ."
    )
    if case.get("description"):
        pdf.para(case["description"])

    pdf.h2("Summary")
    views = b["views"]
    plan_i, plan_e = views["intelligence"]["plan"], views["evidential"]["plan"]
    pdf.grid(
        ["", "Intelligence view", "Evidential view"],
        [
            ["Statements", str(b["statements"]["intelligence"]), str(b["statements"]["evidential"])],
            [
                "Persons / ties",
                f"{views['intelligence']['persons']} / {views['intelligence']['ties']}",
                f"{views['evidential']['persons']} / {views['evidential']['ties']}",
            ],
            [
                "Disruption plan",
                _names(plan_i["targets"]) if plan_i else "none",
                _names(plan_e["targets"]) if plan_e else "none",
            ],
        ],
        (40, 75, 75),
        size=8,
    )
    reasons = ", ".join(f"{n} {r}" for r, n in b["statements"]["by_reason"].items()) or "nothing"
    pdf.para(f"Left out of the evidential view: {reasons}.")
    pdf.para(f"Plan targets that stand on evidence alone: {_names(b['plan_stands_on_evidence'])}.", bold=True)
    pdf.para(f"Chosen on intelligence only: {_names(b['plan_intelligence_only'])}.")

    pdf.h2("Link chart")
    pdf.svg(b["pictures"]["chart"])
    pdf.para(
        "All visible material: solid ties are backed by evidence, dashed ties by intelligence only.", size=8
    )
    pdf.svg(b["pictures"]["chart_evidential"], width=150)
    pdf.para("The evidential view alone, with its own disruption plan.", size=8)

    pdf.h2("Targets")
    for t in b["targets"]:
        pdf.para(f"{t['name']} ({t['standing']})", size=11, bold=True)
        pdf.para(
            f"{t['id']} · ties {t['ties']['intelligence']} (intelligence) / "
            f"{t['ties']['evidential']} (evidence) "
            f"· betweenness {t['betweenness']['intelligence']} / {t['betweenness']['evidential']} "
            f"· in the plan: {'yes' if t['in_plan']['intelligence'] else 'no'} / "
            f"{'yes' if t['in_plan']['evidential'] else 'no'}",
            size=8,
        )
        for g in t["gaps"]:
            pdf.para(
                f"Gap: {g['statements']} statement(s) from {g['agency']} are {g['reason']}: {g['remedy']}.",
                size=8,
            )
        rows = [
            [
                s["when"][:16],
                f"{s['schema']}.{s['prop']}",
                s["value"]
                + (
                    f" ({s['original_value']})"
                    if s["original_value"] and s["original_value"] != s["value"]
                    else ""
                ),
                f"{s['agency']} / {s['report']}",
                s["grading"],
                s["handling"],
            ]
            for s in t["evidence"]
        ] or [["", "", "No evidential material about this target.", "", "", ""]]
        pdf.para(f"Evidence ({len(t['evidence'])} of {t['evidence_total']}, strongest grading first)", size=8)
        pdf.grid(
            ["When", "What", "Value", "Agency / report", "Grading", "Handling"],
            rows,
            (22, 28, 45, 38, 32, 25),
        )

    pdf.add_page()
    pdf.h2("Map")
    pdf.svg(b["pictures"]["map"])
    pdf.para("Places of the route where the case's material puts its persons, vehicles and phones.", size=8)

    pdf.h2("Chronology")
    pdf.para(
        f"{len(b['chronology'])} of {b['chronology_total']} dated events; times of day as reported.", size=8
    )
    pdf.grid(
        ["Date", "Time", "What", "Agency", "Grading", "Handling", "Court"],
        [
            [
                e["date"],
                e["time"] or "",
                e["summary"],
                ", ".join(e["agencies"]),
                f"{e['grading']['scheme']} {e['grading']['source']}{e['grading']['information']}"
                if e["grading"]
                else "",
                ", ".join(f"{h['scheme']} {h['code']}" for h in e["handling"]),
                "evidence" if e["evidential"] else ", ".join(e["excluded_because"]),
            ]
            for e in b["chronology"]
        ],
        (18, 10, 70, 22, 18, 22, 30),
    )

    pdf.h2("Schedule of unused material")
    pdf.para(
        "Material examined but not relied on, by report, with why it is unused. Sensitive entries belong on "
        "the sensitive schedule.",
        size=8,
    )
    pdf.grid(
        ["Report", "Agency", "Date", "Stmts", "Describes", "Why unused", "Handling", "Schedule"],
        [
            [
                u["report"],
                u["agency"],
                u["reported_at"],
                str(u["statements"]),
                u["describes"],
                ", ".join(u["reasons"]),
                ", ".join(u["handling"]),
                u["schedule"],
            ]
            for u in b["unused"]
        ]
        or [["", "", "", "", "No unused material.", "", "", ""]],
        (30, 20, 18, 10, 35, 30, 20, 27),
    )
    pdf.para(b["sources"], size=7)
    return bytes(pdf.output())
