// The dashboard served at `GET /`: one self-contained HTML page (inline CSS and JS, nothing external, works
// under `default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'`). It polls `status` every
// 5 s while the tab is visible and each host's `incidents?limit=5` every 30 s (at once when its state changes).
// URLs are relative, so the page works behind a reverse proxy under a sub-path. Data is put in the page with
// textContent only: domains and causes are never parsed as HTML. Tests/e2e/test_dashboard.py drives it.

enum DashboardPage {
    /// Sent with the page: nothing may load from anywhere else, whatever a host name or cause contains.
    static let contentSecurityPolicy = "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
    static let html: [UInt8] = Array(#"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>status</title>
<style>
:root{--bg:#fff;--fg:#1f2328;--mute:#656d76;--line:#d0d7de;--alt:#f6f8fa;--up:#1a7f37;--down:#cf222e;--pend:#8c959f;
--warn:#fff1e5;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--mute:#8d96a0;--line:#30363d;--alt:#161b22;
--up:#3fb950;--down:#f85149;--pend:#6e7681;--warn:#3d1e14}}
[hidden]{display:none!important}
body{margin:0 auto;max-width:72rem;padding:1rem}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.3rem 1.2rem;margin-bottom:.8rem}
h1{font-size:1.4rem;margin:0}
.mute,small{color:var(--mute)}
#counts b{font-variant-numeric:tabular-nums}
.n-up{color:var(--up)}.n-down{color:var(--down)}.n-pending{color:var(--pend)}
#error{background:var(--warn);border:1px solid var(--down);border-radius:6px;padding:.5rem .8rem;margin-bottom:.8rem}
table{border-collapse:collapse;width:100%}
th{text-align:left;font-weight:600;color:var(--mute);font-size:.8rem;border-bottom:1px solid var(--line)}
th,td{padding:.35rem .5rem;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
#hosts>tbody{border-bottom:1px solid var(--line)}
#hosts>tbody:nth-of-type(even){background:var(--alt)}
#hosts.stale{opacity:.55}
.host td:first-child{font-weight:600;overflow-wrap:anywhere}
.badge{display:inline-block;min-width:3.2em;padding:0 .5em;border-radius:1em;color:#fff;font-size:.85rem;
text-align:center;white-space:nowrap;background:var(--pend)}
[data-state=up] .badge{background:var(--up)}[data-state=down] .badge{background:var(--down)}
[data-state=down] td:first-child{color:var(--down)}
.inc td{padding-top:0}
summary{cursor:pointer;color:var(--mute);font-size:.85rem}
.inc table{width:auto;font-size:.85rem;margin:.2rem 0 .4rem 1rem}
.inc table td{border-top:1px solid var(--line);padding:.2rem .5rem}
.ongoing{color:var(--down);font-weight:600}
footer{margin-top:1rem;font-size:.8rem}
a{color:inherit}
@media (max-width:40rem){
body{padding:.6rem}
#hosts thead{display:none}
#hosts,#hosts>tbody,.host,.host td{display:block}
.host{display:grid;grid-template-columns:repeat(3,1fr);padding:.4rem 0}
.host td{padding:.15rem .4rem;text-align:left}
.host td:first-child{grid-column:span 2}
.host td[data-label]:not(:nth-child(2))::before{content:attr(data-label);display:block;font-size:.7rem;
color:var(--mute)}
.host td:nth-child(2){text-align:right}
.inc,.inc>td{display:block}
.inc table{margin-left:0}
.inc th{display:none}
.inc table tr{display:flex;flex-wrap:wrap;gap:0 .6rem;border-top:1px solid var(--line);padding:.2rem 0}
.inc table td{border:0;padding:0}
.inc table td:first-child{flex-basis:100%}
.inc table td:nth-child(3)::before{content:"→ "}
}
</style>
</head>
<body>
<header>
<h1>status</h1>
<span id="counts" class="mute">loading…</span>
<small id="updated"></small>
</header>
<div id="error" role="alert" hidden></div>
<table id="hosts">
<thead><tr><th>Host</th><th>State</th><th class="num">RTT</th><th class="num">Loss</th><th class="num">24 h</th>
<th class="num">7 d</th><th class="num">30 d</th><th class="num">Checked</th></tr></thead>
</table>
<footer class="mute">Refreshes every 5 s while this tab is visible · <a href="status">status JSON</a></footer>
<script>
"use strict";
(() => {
  const REFRESH_MS = 5000, INCIDENTS_MS = 30000, PARALLEL = 4;
  const table = document.getElementById("hosts"), banner = document.getElementById("error");
  const rows = new Map();           // domain → row: its elements, last check, incidents
  const queue = [];                 // rows waiting for an incidents fetch
  let running = 0, timer = 0, inflight = null, skew = 0, lastOk = 0;

  const num = (x) => (typeof x === "number" && isFinite(x) ? x : null);
  const time = (x) => { const t = typeof x === "string" ? Date.parse(x) : NaN; return isNaN(t) ? null : t; };
  const now = () => Date.now() + skew;   // the daemon's clock, when ours is off by more than 2 s

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text != null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function set(e, text) { if (e.textContent !== text) e.textContent = text; }

  function duration(s) {
    s = Math.max(0, Math.floor(s));
    const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
    if (d) return d + "d " + h + "h";
    if (h) return h + "h " + m + "m";
    if (m) return m + "m " + (s % 60) + "s";
    return s + "s";
  }
  function ago(t) { return t == null ? "never" : duration((now() - t) / 1000) + " ago"; }
  function clock(t) {
    if (t == null) return "–";
    const d = new Date(t), opt = { hour: "2-digit", minute: "2-digit", second: "2-digit" };
    if (d.toDateString() !== new Date().toDateString()) { opt.month = "short"; opt.day = "numeric"; }
    return d.toLocaleString(undefined, opt);
  }
  function ms(x) { return x == null ? "–" : (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0)) + " ms"; }
  function pct(x, floor) {
    if (x == null) return "–";
    if (floor) x = Math.floor(x * 100) / 100;    // 99.999 shows 99.99, never 100
    return (x === Math.round(x) ? String(x) : x.toFixed(floor ? 2 : 1)) + " %";
  }

  async function getJSON(url) {
    const stop = new AbortController(), t = setTimeout(() => stop.abort(), 10000);
    try {
      const res = await fetch(url, { signal: stop.signal });
      if (!res.ok) throw new Error("HTTP " + res.status + " from " + url);
      return { body: await res.json(), date: Date.parse(res.headers.get("Date") || "") };
    } catch (e) {
      const late = e && e.name === "AbortError";
      throw new Error(late ? url + " did not answer within 10 s" : (e && e.message) || String(e));
    } finally { clearTimeout(t); }
  }

  function addRow(domain) {
    const r = { domain, body: el("tbody"), tr: el("tr", null, "host"), cells: {}, incAt: 0, due: true, queued: false };
    r.tr.dataset.domain = domain;
    r.tr.append(el("td", domain));
    for (const [key, label, cls] of [["state", "State"], ["rtt", "RTT", "num"], ["loss", "Loss", "num"],
      ["d1", "24 h", "num"], ["d7", "7 d", "num"], ["d30", "30 d", "num"], ["seen", "Checked", "num"]]) {
      const td = el("td", null, cls);
      td.dataset.label = label;
      r.tr.append(td);
      r.cells[key] = td;
    }
    r.badge = r.cells.state.appendChild(el("span", "", "badge"));
    r.inc = el("tr", null, "inc");
    r.inc.hidden = true;
    const td = r.inc.appendChild(el("td"));
    td.colSpan = 8;
    r.details = td.appendChild(el("details"));
    r.summary = r.details.appendChild(el("summary"));
    r.list = r.details.appendChild(el("table"));
    r.body.append(r.tr, r.inc);
    rows.set(domain, r);
    return r;
  }

  function render(checks) {
    const seen = new Set(), counts = { up: 0, down: 0, pending: 0 };
    for (const raw of checks) {
      if (!raw || typeof raw.domain !== "string" || seen.has(raw.domain)) continue;
      seen.add(raw.domain);
      const r = rows.get(raw.domain) || addRow(raw.domain);
      const c = {
        at: time(raw.last_performed), up: raw.status !== false, rtt: num(raw.rtt_ms), loss: num(raw.loss_pct),
        since: time(raw.down_since), downFor: num(raw.down_for_s), fetched: Date.now(),
        d1: num(raw.uptime_24h_pct), d7: num(raw.uptime_7d_pct), d30: num(raw.uptime_30d_pct)
      };
      const state = c.at == null ? "pending" : c.up ? "up" : "down";
      if (r.state !== state) {
        r.due = true;
        r.details.open = state === "down";
        r.state = state;
        r.tr.dataset.state = state;
      }
      r.check = c;
      counts[state]++;
      set(r.cells.rtt, ms(c.rtt));
      set(r.cells.loss, pct(c.loss, false));
      set(r.cells.d1, pct(c.d1, true));
      set(r.cells.d7, pct(c.d7, true));
      set(r.cells.d30, pct(c.d30, true));
      const at = table.tBodies[seen.size - 1];
      if (at !== r.body) table.insertBefore(r.body, at || null);
    }
    for (const [domain, r] of rows) if (!seen.has(domain)) { r.body.remove(); rows.delete(domain); }
    const parts = Object.entries(counts).filter(([k, n]) => n || k !== "pending");
    const box = document.getElementById("counts");
    box.replaceChildren();
    parts.forEach(([k, n], i) => {
      if (i) box.append(" · ");
      box.append(el("b", String(n), "n-" + k), " " + k);
    });
    document.title = (counts.down ? counts.down + " down – " : "") + "status";
    tick();
    fetchIncidents();
  }

  // Relative times move every second without asking the daemon.
  function tick() {
    for (const r of rows.values()) {
      const c = r.check;
      if (!c) continue;
      let text = r.state;
      if (r.state === "down") {
        // down_since, else down_for_s as of the fetch, else the start of the open incident
        const s = c.since != null ? (now() - c.since) / 1000
          : c.downFor != null ? c.downFor + (Date.now() - c.fetched) / 1000
          : r.ongoing != null ? (now() - r.ongoing) / 1000 : null;
        if (s != null) text = "down for " + duration(s);
      }
      set(r.badge, text);
      set(r.cells.seen, ago(c.at));
      for (const [td, start] of r.live || []) set(td, duration((now() - start) / 1000));
    }
    if (lastOk) set(document.getElementById("updated"), "updated " + clock(lastOk));
  }

  function fetchIncidents() {
    for (const r of rows.values()) {
      if (!r.queued && (r.due || Date.now() - r.incAt >= INCIDENTS_MS)) { r.queued = true; queue.push(r); }
    }
    while (running < PARALLEL && queue.length) {
      const r = queue.shift();
      running++;
      loadIncidents(r).finally(() => { running--; r.queued = false; fetchIncidents(); });
    }
  }

  async function loadIncidents(r) {
    if (rows.get(r.domain) !== r) return;
    r.due = false;
    r.incAt = Date.now();
    try {
      const { body } = await getJSON("status/service/" + encodeURIComponent(r.domain) + "/incidents?limit=5");
      showIncidents(r, Array.isArray(body) ? body.slice(0, 5) : [], null);
    } catch (e) {
      showIncidents(r, [], e.message);
    }
  }

  function showIncidents(r, list, error) {
    r.live = [];
    r.ongoing = null;
    r.list.replaceChildren();
    r.inc.hidden = !error && list.length === 0;
    if (error) { set(r.summary, "incidents unavailable: " + error); return; }
    const first = list[0] || {}, n = list.length;
    set(r.summary, (first.up_detection == null ? "ongoing: " + (first.description || "down")
      : "last incident ended " + ago(time(first.up_detection))) + " · " + n + " recent incident" + (n > 1 ? "s" : ""));
    const head = r.list.appendChild(el("tr"));
    for (const h of ["Cause", "Start", "End", "Duration"]) head.append(el("th", h));
    for (const i of list) {
      const start = time(i && i.down_detection), end = time(i && i.up_detection), tr = r.list.appendChild(el("tr"));
      tr.append(el("td", i && i.description != null ? String(i.description) : "–"), el("td", clock(start)));
      tr.append(end == null ? el("td", "ongoing", "ongoing") : el("td", clock(end)));
      const d = num(i && i.duration_s), td = tr.appendChild(el("td", null, "num"));
      if (end == null && start != null) { r.live.push([td, start]); if (r.ongoing == null) r.ongoing = start; }
      td.textContent = end == null && start != null ? duration((now() - start) / 1000)
        : d != null ? duration(d) : start != null && end != null ? duration((end - start) / 1000) : "–";
    }
  }

  async function refresh() {
    try {
      const { body, date } = await getJSON("status");
      if (!Array.isArray(body)) throw new Error("status did not answer with a list");
      const off = date - Date.now();
      skew = Math.abs(off) > 2000 ? off : 0;
      lastOk = Date.now();
      render(body);
      banner.hidden = true;
      table.classList.remove("stale");
      document.documentElement.dataset.ready = "1";
    } catch (e) {
      banner.textContent = "Cannot reach the status daemon: " + e.message + ". " +
        (lastOk ? "Showing what it said at " + clock(lastOk) + "; " : "") + "retrying every 5 s.";
      banner.hidden = false;
      table.classList.add("stale");
    }
  }

  function refreshNow() {
    clearTimeout(timer);
    if (inflight) return;
    inflight = refresh().finally(() => {
      inflight = null;
      if (document.visibilityState === "visible") timer = setTimeout(refreshNow, REFRESH_MS);
    });
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refreshNow(); else clearTimeout(timer);
  });
  setInterval(() => { if (document.visibilityState === "visible") tick(); }, 1000);
  refreshNow();
})();
</script>
</body>
</html>
"""#.utf8)
}
