// Each figure drawn once.
//
// Gradio's Plot component draws every new figure into a fresh element, and just
// before that into the element it is about to discard: the map was drawn twice per
// edit, and the page showed it only after both. Here a draw (or resize) of an
// element that already holds a figure waits one task; if that element has left the
// page by then, it is dropped and its listeners freed, otherwise it runs as asked.
// A first draw into a new element runs at once. Nothing else about Plotly changes.
(() => {
  const later = (Plotly, orig) => function (gd, ...rest) {
    if (!gd || !gd._fullLayout) return orig.call(this, gd, ...rest);
    return new Promise((resolve) => setTimeout(() => {
      if (gd.isConnected) { resolve(orig.call(this, gd, ...rest)); return; }
      if (gd._fullLayout) Plotly.purge(gd);
      resolve(gd);
    }, 0));
  };
  const patch = (Plotly) => {
    if (!Plotly || Plotly.__drawnOnce) return;
    Plotly.__drawnOnce = true;
    Plotly.react = later(Plotly, Plotly.react);
    if (Plotly.Plots) Plotly.Plots.resize = later(Plotly, Plotly.Plots.resize);
  };
  const before = Object.getOwnPropertyDescriptor(window, "Plotly");
  let value = before && before.value;
  patch(value);
  Object.defineProperty(window, "Plotly", {
    configurable: true,
    get() { return before && before.get ? before.get() : value; },
    set(v) { patch(v); if (before && before.set) before.set(v); else value = v; },
  });
})();
