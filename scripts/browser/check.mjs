// Loads each lode HTML report in headless Debian Chromium (playwright-core, no downloaded
// browser) and fails on any console error, page error, network request or broken DOM.
//
// usage: node check.mjs [--screenshot OUT.png] REPORT.html[=LABEL] ...
//   REPORT.html=LABEL  also checks that the scenario label LABEL is shown in the banner
//   --against          the following reports were made with --against (a changes section)
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
let screenshot = null;
let pdf = null;
const reports = [];
let against = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--screenshot") { screenshot = args[++i]; continue; }
  if (args[i] === "--pdf") { pdf = args[++i]; continue; }
  if (args[i] === "--against") { against = true; continue; }
  const [file, label] = args[i].split("=");
  reports.push({ file: path.resolve(file), label: label || null, against });
}
if (reports.length === 0) {
  console.error("usage: node check.mjs [--screenshot OUT.png] [--pdf OUT.pdf] REPORT.html[=LABEL] ... [--against REPORT.html ...]");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

let failures = 0;
function fail(report, msg) {
  failures++;
  console.error(`FAIL ${path.basename(report.file)}: ${msg}`);
}

for (const report of reports) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(`console ${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  // Self-contained: the report may load nothing but itself.
  const url = pathToFileURL(report.file).href;
  await page.route("**/*", (route) => {
    const u = route.request().url();
    if (u === url || u.startsWith(url + "#")) return route.continue();
    errors.push(`request for an external resource: ${u}`);
    return route.abort();
  });
  const response = await page.goto(url, { waitUntil: "load" });
  if (!response || !response.ok()) fail(report, "did not load");
  // The script unpacks the data block (deflate, base64) and puts the conclusions, the
  // footnotes and the full supplier tables in place; then <html data-lode="ready">.
  const ready = await page
    .waitForFunction(() => document.documentElement.dataset.lode !== undefined, null, { timeout: 20000 })
    .then(() => page.evaluate(() => document.documentElement.dataset.lode), () => "timeout");
  if (ready !== "ready") fail(report, `the data block was not unpacked (${ready})`);
  const bytes = fs.statSync(report.file).size;
  if (report === reports[0] && bytes > 1000000) fail(report, `${bytes} bytes, over 1 MB`);

  const dom = await page.evaluate(() => {
    const q = (s) => document.querySelectorAll(s);
    const heat = document.querySelector("table.heat");
    const stages = heat ? heat.querySelectorAll("thead th").length - 3 : 0;
    const anchors = [...q('a[href^="#"]')].map((a) => a.getAttribute("href").slice(1));
    const broken = [...new Set(anchors.filter((id) => id && !document.getElementById(decodeURIComponent(id))))];
    const banner = document.querySelector(".label-banner");
    const bannerBox = banner ? banner.getBoundingClientRect() : null;
    return {
      sections: ["summary", "heatmap", "supply", "partner", "method", "conclusions", "sources", "changes"].filter((id) => document.getElementById(id)),
      rows: q("table.heat tr.heat-row").length,
      cells: q("table.heat td.cell").length,
      dataRows: heat ? Number(heat.dataset.rows) : 0,
      dataCells: heat ? Number(heat.dataset.cells) : 0,
      stages,
      conclusions: q("details.concl").length,
      conclusionCount: Number(document.getElementById("conclusions")?.dataset.count ?? -1),
      trees: q("details.concl ul.tree").length,
      bars: q("svg.bars").length,
      notes: q("ol.sources > li").length,
      numbers: q("a.num").length,
      broken,
      scripts: q("script").length,
      changed: q("td.cell.changed").length,
      riskChanges: Number(document.getElementById("changes")?.dataset.riskChanges ?? 0),
      banner: banner ? banner.textContent.trim() : null,
      bannerVisible: bannerBox ? bannerBox.top < window.innerHeight && bannerBox.height > 0 : false,
      title: document.title,
      overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
    };
  });

  for (const id of ["summary", "heatmap", "supply", "partner", "method", "conclusions", "sources"]) {
    if (!dom.sections.includes(id)) fail(report, `no section #${id}`);
  }
  if (report.against !== dom.sections.includes("changes")) fail(report, `changes section ${report.against ? "missing" : "unexpected"}`);
  if (dom.rows === 0) fail(report, "empty heat map");
  if (dom.rows !== dom.dataRows) fail(report, `heat map has ${dom.rows} rows, expected ${dom.dataRows}`);
  if (dom.cells !== dom.dataCells || dom.cells !== dom.rows * dom.stages) fail(report, `heat map has ${dom.cells} cells, expected ${dom.dataCells} = ${dom.rows} × ${dom.stages}`);
  if (dom.conclusions !== dom.conclusionCount || dom.conclusions === 0) fail(report, `${dom.conclusions} conclusions shown, ${dom.conclusionCount} expected`);
  if (dom.bars === 0) fail(report, "no supply bars");
  if (dom.notes === 0 || dom.numbers === 0) fail(report, "no cited numbers");
  if (dom.broken.length) fail(report, `links to missing anchors: ${dom.broken.slice(0, 5).join(", ")}`);
  if (dom.scripts !== 1) fail(report, `${dom.scripts} script elements, expected lode's one`);
  if (dom.overflow) fail(report, "the page is wider than the window");
  if (report.label && (!dom.banner || !dom.banner.includes(report.label) || !dom.bannerVisible)) fail(report, `label "${report.label}" not shown in a visible banner`);
  if (report.against && (dom.changed > dom.riskChanges || (dom.riskChanges > 0 && dom.changed === 0))) {
    fail(report, `${dom.changed} changed heat-map cells outlined, ${dom.riskChanges} risk levels differ`);
  }

  // Following a heat-map cell opens its conclusion; the buttons open and close them all.
  const link = await page.$("table.heat td.cell a");
  if (link) {
    const target = (await link.getAttribute("href")).slice(1);
    await link.click();
    const open = await page
      .waitForFunction((id) => document.getElementById(id)?.open === true, target, { timeout: 5000 })
      .then(() => true, () => false);
    if (!open) fail(report, `following a heat-map cell did not open #${target}`);
  }
  // A conclusion's proof is drawn from the shared node table when it opens: click a closed
  // conclusion's summary (a RiskLevel one, whose tree reaches cited data facts) and wait for its
  // tree, down to a fact leaf that cites its source.
  const closed = await page.evaluate(() => {
    const d = [...document.querySelectorAll('details.concl[data-p][id^="c-RiskLevel-"]')].find((x) => !x.open)
      || [...document.querySelectorAll("details.concl[data-p]")].find((x) => !x.open);
    return d ? d.id : null;
  });
  if (closed) {
    await page.click(`[id="${closed}"] > summary`);
    const tree = await page
      .waitForFunction((id) => {
        const d = document.getElementById(id);
        const leaves = d ? d.querySelectorAll("ul.tree .leaf") : [];
        const cited = d ? d.querySelectorAll("ul.tree .leaf .src").length : 0;
        return d && d.open && leaves.length > 0 ? { nodes: d.querySelectorAll("ul.tree li").length, leaves: leaves.length, cited } : false;
      }, closed, { timeout: 5000 })
      .then((h) => h.jsonValue(), () => null);
    if (!tree) fail(report, `opening #${closed} drew no proof tree with fact leaves`);
    else if (tree.cited === 0) fail(report, `the proof tree of #${closed} has no leaf citing a source`);
    else dom.drill = `${closed}: ${tree.nodes} nodes, ${tree.leaves} leaves, ${tree.cited} cited`;
  } else if (dom.conclusions > 0) {
    fail(report, "no closed conclusion with a proof to open");
  }
  // A supply bar's tooltip is completed on hover: alignments and the footnote it links to.
  const bar = await page.$("svg.bars g.bar a rect");
  if (bar) {
    await bar.hover();
    const tip = await page.evaluate(() => document.querySelector("svg.bars g.bar a")?.closest("g.bar")?.querySelector("title")?.textContent ?? "");
    if (!/ toward .* · \[\d+\] \S+:\d+/.test(tip)) fail(report, `a supply bar's tooltip lacks its alignments or footnote: "${tip}"`);
  }
  await page.click('button[data-action="expand"]');
  const allOpen = await page.evaluate(() => [...document.querySelectorAll("#conclusions details")].every((d) => d.open));
  dom.trees = await page.evaluate(() => document.querySelectorAll("details.concl ul.tree").length);
  const withProof = await page.evaluate(() => document.querySelectorAll("details.concl[data-p]").length);
  if (dom.trees !== withProof) fail(report, `${dom.trees} proof trees drawn after "expand all", ${withProof} conclusions have a proof`);
  const leaves = await page.evaluate(() => document.querySelectorAll("details.concl .leaf").length);
  if (withProof > 0 && leaves === 0) fail(report, "proof trees without any fact leaf");
  await page.click('button[data-action="collapse"]');
  const allClosed = await page.evaluate(() => [...document.querySelectorAll("#conclusions details")].every((d) => !d.open));
  if (!allOpen || !allClosed) fail(report, "expand/collapse all did not work");
  // The consumer switch, where there is one, recolours the bars.
  if (await page.$("#al-view")) {
    const values = await page.$$eval("#al-view option", (os) => os.map((o) => o.value));
    await page.selectOption("#al-view", values[values.length - 1]);
  }

  for (const e of errors) fail(report, e);
  console.log(`ok   ${path.basename(report.file)} (${bytes} bytes): ${dom.rows} heat-map rows × ${dom.stages} stages, ${dom.conclusions} conclusions (${dom.trees} with proof trees), ${dom.bars} bar charts, ${dom.numbers} cited figures → ${dom.notes} footnotes${dom.banner ? `, label "${dom.banner}"` : ""}${report.against ? `, ${dom.changed} changed cells` : ""}${dom.drill ? `; opened ${dom.drill}` : ""}`);

  // A link into the page from outside (report.html#c-…) opens its conclusion once the data is
  // unpacked, with its proof drawn.
  if (closed) {
    await page.goto(`${url}#${closed}`, { waitUntil: "load" });
    const linked = await page
      .waitForFunction((id) => {
        const d = document.getElementById(id);
        return d && d.open && d.querySelectorAll("ul.tree li").length > 0;
      }, closed, { timeout: 20000 })
      .then(() => true, () => false);
    if (!linked) fail(report, `opening the page at #${closed} did not open that conclusion with its proof`);
  }
  if (screenshot && report === reports[0]) {
    await page.goto(url, { waitUntil: "load" });
    await page.waitForFunction(() => document.documentElement.dataset.lode === "ready", null, { timeout: 20000 });
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.screenshot({ path: screenshot, clip: { x: 0, y: 0, width: 1200, height: 2300 }, fullPage: true });
    console.log(`screenshot ${screenshot}`);
  }
  if (pdf && report === reports[0]) {
    await page.emulateMedia({ media: "print" });
    await page.pdf({ path: pdf, format: "A4", printBackground: true });
    console.log(`pdf ${pdf}`);
  }
  await context.close();
}
await browser.close();
if (failures) {
  console.error(`${failures} failure(s)`);
  process.exit(1);
}
