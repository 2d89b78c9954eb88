// In-page probe of the browser latency benchmark (benchmarks/browser_latency.py).
// Installed with Playwright's add_init_script, so it runs before the page's own scripts.
// It only records; it changes nothing the page does. Every time is performance.now() (ms).
// Records, drained by the benchmark with window.__lens.drain():
//   keys:      keydown / input / paste events (capture phase), with event.timeStamp
//   fetches:   every fetch: start, headers, body end; queue/join bodies (fn_index, data) and event ids
//   messages:  each server-sent event of the queue stream, raw text and arrival time
//   mutations: MutationObserver batches under the watched elements, by element and kind, with the
//              time of the next animation frame (the frame that paints the change)
//   plotly:    Plotly.react / Plots.resize / relayout calls (start, sync end, promise end) and afterplot
//   loaf:      long animation frames (≥ 50 ms) with their scripts; longtasks
(() => {
  if (window.__lens) return;
  const now = () => performance.now();
  const WATCH = ["ranked_instructed", "ranked_baseline", "map", "status", "prompts_snippet"];
  const L = window.__lens = {
    keys: [], fetches: [], messages: [], mutations: [], plotly: [], loaf: [], longtasks: [],
    lastMutation: 0, observerMs: 0,
  };
  try { performance.setResourceTimingBufferSize(100000); } catch (e) { /* older engines */ }

  for (const type of ["keydown", "input", "paste"]) {
    window.addEventListener(type, (e) => {
      const box = e.target && e.target.closest ? e.target.closest("[id]") : null;
      L.keys.push({type, t: now(), ts: e.timeStamp, key: e.key || null, inputType: e.inputType || null,
                   elem: box ? box.id : null});
    }, true);
  }

  // ---- network: fetch (the Gradio client sends queue/join and reads queue/data through it) ----
  const origFetch = window.fetch.bind(window);
  function wrapStream(rec, resp) {
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    const body = new ReadableStream({
      async pull(ctrl) {
        let chunk;
        try { chunk = await reader.read(); } catch (err) { rec.tEnd = now(); ctrl.error(err); return; }
        if (chunk.done) { rec.tEnd = now(); ctrl.close(); return; }
        const t = now();
        buf += decoder.decode(chunk.value, {stream: true});
        let cut;
        while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut).replace(/^\r?\n\r?\n/, "");
          const data = block.split(/\r?\n/).filter(l => l.startsWith("data:")).map(l => l.slice(5).trimStart()).join("\n");
          if (!data) continue;
          const head = data.slice(0, 300);
          const msg = (head.match(/"msg"\s*:\s*"(\w+)"/) || [])[1] || null;
          const eventId = (head.match(/"event_id"\s*:\s*"([^"]+)"/) || [])[1] || null;
          L.messages.push({t, msg, event_id: eventId, bytes: data.length, stream: rec.id, raw: data});
        }
        ctrl.enqueue(chunk.value);
      },
      cancel(reason) { rec.tCancel = now(); return reader.cancel(reason); },
    });
    return new Response(body, {status: resp.status, statusText: resp.statusText, headers: resp.headers});
  }
  let nextId = 0;
  window.fetch = async function (input, init) {
    const url = typeof input === "string" ? input : (input instanceof URL ? input.href : input.url);
    const rec = {id: nextId++, url, t0: now(), method: (init && init.method) || (input && input.method) || "GET"};
    if (url.includes("queue/join") && init && typeof init.body === "string") {
      try { const b = JSON.parse(init.body); rec.fn_index = b.fn_index; rec.trigger_id = b.trigger_id; rec.data = b.data; }
      catch (e) { rec.bodyError = String(e); }
    }
    L.fetches.push(rec);
    let resp;
    try { resp = await origFetch(input, init); } catch (err) { rec.error = String(err); rec.tEnd = now(); throw err; }
    rec.tHeaders = now();
    rec.status = resp.status;
    if (url.includes("queue/data") && resp.body) return wrapStream(rec, resp);
    if (url.includes("queue/join")) {
      resp.clone().json().then(j => { rec.event_id = j.event_id; rec.tEnd = now(); }, () => { rec.tEnd = now(); });
    }
    return resp;
  };

  // ---- DOM: what changed under the watched elements, and when the next frame came ----
  function rootOf(node) {
    const el = node && node.nodeType === 1 ? node : node && node.parentElement;
    if (!el) return null;
    for (let cur = el; cur; cur = cur.parentElement) {
      if (cur.id && WATCH.includes(cur.id)) return cur.id;
    }
    return null;
  }
  function kindOf(node) {
    const el = node && node.nodeType === 1 ? node : node && node.parentElement;
    if (!el || !el.closest) return "other";
    if (el.closest("[role=grid]")) return "grid";
    if (el.closest(".js-plotly-plot, [data-testid=plotly]")) return "plot";
    if (el.closest(".cm-editor")) return "code";
    if (el.closest(".prose, .md")) return "text";
    return "other";
  }
  const observer = new MutationObserver((records) => {
    const t = now();
    const counts = {};
    for (const r of records) {
      const root = rootOf(r.target);
      if (!root) continue;
      const key = root + ":" + kindOf(r.target);
      counts[key] = (counts[key] || 0) + 1;
    }
    if (!Object.keys(counts).length) { L.observerMs += now() - t; return; }
    const batch = {t, counts, raf: null};
    L.mutations.push(batch);
    L.lastMutation = t;
    requestAnimationFrame(() => { batch.raf = now(); });
    L.observerMs += now() - t;
  });
  observer.observe(document, {subtree: true, childList: true, characterData: true, attributes: true});

  // ---- Plotly: the Plot component calls Plotly.react then Plots.resize on every update ----
  const graphs = new WeakMap();  // graph div -> number: a new number is a new div (a full newPlot)
  let nextGraph = 0;
  function wrapPlotly(P) {
    if (!P || P.__lensWrapped) return;
    P.__lensWrapped = true;
    const wrap = (obj, name, label) => {
      const orig = obj[name];
      if (typeof orig !== "function") return;
      obj[name] = function (...args) {
        const rec = {call: label, t0: now(), t1: null, t2: null};
        L.plotly.push(rec);
        const gd = args[0];
        if (gd && typeof gd === "object") {
          if (!graphs.has(gd)) graphs.set(gd, nextGraph++);
          rec.graph = graphs.get(gd);
        }
        const out = orig.apply(this, args);
        rec.t1 = now();
        if (gd && gd.on && !gd.__lensHooked) {  // a graph div has .on once Plotly has drawn into it
          gd.__lensHooked = true;
          gd.on("plotly_afterplot", () => L.plotly.push({call: "afterplot", t0: now(), graph: graphs.get(gd)}));
        }
        if (out && typeof out.then === "function") out.then(() => { rec.t2 = now(); }, () => { rec.t2 = now(); rec.rejected = true; });
        return out;
      };
    };
    wrap(P, "react", "react");
    wrap(P, "relayout", "relayout");
    if (P.Plots) wrap(P.Plots, "resize", "resize");
  }
  let plotlyValue;
  Object.defineProperty(window, "Plotly", {
    configurable: true,
    get() { return plotlyValue; },
    set(v) { plotlyValue = v; try { wrapPlotly(v); } catch (e) { L.plotlyError = String(e); } },
  });

  // ---- main-thread cost: long animation frames and long tasks ----
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) L.loaf.push(e.toJSON());
    }).observe({type: "long-animation-frame", buffered: true});
  } catch (e) { L.loafError = String(e); }
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) L.longtasks.push({t0: e.startTime, ms: e.duration});
    }).observe({type: "longtask", buffered: true});
  } catch (e) { L.longtaskError = String(e); }

  // ---- for the benchmark ----
  const joinsSince = (mark) => L.fetches.filter(f => f.t0 >= mark && f.url.includes("queue/join"));
  // an explore run was requested after `mark` (with q_ins === text at input index qi, if given)
  L.requested = ({mark, fns, qi, text}) => joinsSince(mark).some(
    f => fns.includes(f.fn_index) && (text === undefined || (f.data && f.data[qi] === text)));
  // every event requested after `mark` has finished and nothing watched moved for `quiet` ms
  L.settled = ({mark, quiet}) => {
    const joins = joinsSince(mark);
    for (const j of joins) {
      if (j.error || (j.status && j.status !== 200) || (j.tEnd && !j.event_id)) continue;
      if (!j.event_id) return false;
      if (!L.messages.some(m => m.event_id === j.event_id && /completed|error/.test(m.msg || ""))) return false;
    }
    const lastMsg = L.messages.length ? L.messages[L.messages.length - 1].t : 0;
    const lastJoin = joins.length ? joins[joins.length - 1].t0 : 0;
    return now() - Math.max(L.lastMutation, lastMsg, lastJoin, mark) >= quiet;
  };
  L.drain = () => {
    const out = {};
    for (const k of ["keys", "fetches", "messages", "mutations", "plotly", "loaf", "longtasks"]) {
      out[k] = L[k];
      L[k] = [];
    }
    out.resources = performance.getEntriesByType("resource")
      .filter(r => r.name.includes("queue/")).map(r => r.toJSON());
    performance.clearResourceTimings();
    out.observerMs = L.observerMs;
    L.observerMs = 0;
    out.now = now();
    return out;
  };
})();
