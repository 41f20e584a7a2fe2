/**
 * The front page's headline: our number beside the study's for each result it reported, with
 * our interval, the interval the study's own test-set size implies (it reported none), and the
 * caveat each row needs. Built from the results files, so the page types in no number.
 * @module
 */
import {
  hanleyMcNeilInterval,
  STUDY_HEADLINES,
  studyCovidTestSet,
  type StudyHeadline,
} from "../study.ts";
import { NARROW_WIDTH, Plot, responsivePlot } from "../viz/plot.ts";

/** Our number for a headline id, as a chapter's results file writes it. */
export interface OurHeadline {
  readonly id: string;
  readonly value: number;
  readonly ci?: readonly [number, number] | readonly number[];
  readonly scale: string;
  readonly note?: string;
}

/** A row of the front page's table and figure. */
export interface HeadlineRow extends StudyHeadline {
  readonly ours?: OurHeadline;
  /** The interval the study's test set implies for its number (COVID-19 rows). */
  readonly studyInterval?: { lo: number; hi: number };
}

/** The study's rows joined with ours (where a chapter wrote the id). */
export function headlineRows(ours: ReadonlyMap<string, OurHeadline>): HeadlineRow[] {
  const test = studyCovidTestSet();
  return STUDY_HEADLINES.map((row) => ({
    ...row,
    ours: ours.get(row.id),
    studyInterval: row.id.startsWith("covid-auc")
      ? hanleyMcNeilInterval(row.study, test.positives, test.negatives)
      : undefined,
  }));
}

/** The figure: per row, ours (blue, with interval) and the study's (red, with its implied one). */
export function headlineFigure(rows: readonly HeadlineRow[]): string {
  const label = (r: HeadlineRow) => `${r.task.replace(/ \(.*\)$/, "")} · ${r.arm}`;
  const points = rows.flatMap((r) => [
    ...(r.ours && Number.isFinite(r.ours.value)
      ? [{
        row: label(r),
        who: "ours (95% CI)",
        value: r.ours.value,
        lo: r.ours.ci?.[0] ?? r.ours.value,
        hi: r.ours.ci?.[1] ?? r.ours.value,
      }]
      : []),
    {
      row: label(r),
      who: "study (interval its test size implies)",
      value: r.study,
      lo: r.studyInterval?.lo ?? r.study,
      hi: r.studyInterval?.hi ?? r.study,
    },
  ]);
  const who = ["ours (95% CI)", "study (interval its test size implies)"];
  const common = {
    x: { domain: [0.3, 1], label: "AUC", grid: true },
    y: { domain: who, axis: null },
    color: { legend: true, domain: who, range: ["#4363d8", "#e6194b"] },
  } as const;
  const marks = [
    Plot.ruleX([0.5], { stroke: "currentColor", strokeOpacity: 0.5, strokeDasharray: "3 3" }),
    Plot.ruleY(points, { fy: "row", y: "who", x1: "lo", x2: "hi", stroke: "who" }),
    Plot.dot(points, { fy: "row", y: "who", x: "value", fill: "who", r: 4 }),
  ];
  return responsivePlot({
    ...common,
    width: 720,
    height: 60 + rows.length * 44,
    marginLeft: 330,
    fy: { domain: rows.map(label), label: null },
    marks,
  }, {
    // on a phone each row's name goes above its two intervals instead of beside them
    ...common,
    width: NARROW_WIDTH,
    height: 60 + rows.length * 84,
    marginLeft: 10,
    marginRight: 14,
    x: { ...common.x, ticks: 4 },
    y: { ...common.y, insetTop: 40 },
    fy: { domain: rows.map(label), label: null, axis: null },
    marks: [
      ...marks,
      Plot.text(rows.map(label), {
        fy: (d: string) => d,
        frameAnchor: "top-left",
        text: (d: string) => d,
        lineWidth: 27,
      }),
    ],
  });
}
