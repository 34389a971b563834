// Seat layout editor (views/manage_layouts.templ). No inline scripts, no eval
// (strict CSP). The textarea #layout-csv is the layout (the CSV of
// booking.ParseLayoutCSV) and what the form saves; this script draws it as a
// grid, edits it from the keyboard (or the mouse), writes it back and fires
// "layout-changed" so htmx asks the server for the preview. The server
// validates everything; this never decides whether a layout is valid.
//   arrows move · Home/End start/end of the line · S P W C B seat kinds ·
//   Space/Delete/Backspace/. gap · Z zone (the zone field) · R rename the row
(function () {
  "use strict";
  var grid = document.getElementById("layout-grid");
  var ta = document.getElementById("layout-csv");
  if (!grid || !ta || grid.dataset.ready) return;
  grid.dataset.ready = "1";
  var colsIn = document.getElementById("grid-cols");
  var linesIn = document.getElementById("grid-lines");
  var zoneIn = document.getElementById("grid-zone");
  var status = document.getElementById("grid-status");

  var KINDS = { s: "standard", p: "premium", w: "wheelchair", c: "companion", b: "blocked" };
  var NAMES = { standard: "standard seat", premium: "premium seat", wheelchair: "wheelchair space", companion: "companion seat", blocked: "blocked seat" };
  var LABELS = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  var locked = {};
  (grid.dataset.locked || "").split(" ").forEach(function (l) { if (l) locked[l] = true; });

  var m = { cols: 1, lines: 1, cells: {}, rows: {}, dirty: {} }; // cells["x,y"] = {kind, zone, number}; rows[y] = label
  var cx = 0, cy = 0;

  function key(x, y) { return x + "," + y; }

  function parse(text) {
    var out = { cols: 1, lines: 1, cells: {}, rows: {}, dirty: {} };
    var col = null;
    var lines = text.split(/\r?\n/);
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].replace(/^\ufeff/, "").trim();
      if (!line || line.charAt(0) === "#") continue;
      var f = line.split(",").map(function (s) { return s.trim().replace(/^"|"$/g, ""); });
      if (!col) {
        col = {};
        f.forEach(function (n, j) { col[n.toLowerCase()] = j; });
        if (!("x" in col) || !("y" in col) || !("kind" in col)) return null;
        continue;
      }
      var x = parseInt(f[col.x], 10), y = parseInt(f[col.y], 10);
      if (isNaN(x) || isNaN(y) || x < 0 || y < 0 || x > 79 || y > 49) continue;
      var kind = (f[col.kind] || "").toLowerCase();
      out.cells[key(x, y)] = { kind: kind, zone: col.zone !== undefined ? (f[col.zone] || "").toLowerCase() : "", number: parseInt(f[col.number], 10) || 0 };
      if (col.row !== undefined && f[col.row]) out.rows[y] = f[col.row].toUpperCase();
      out.cols = Math.max(out.cols, x + 1);
      out.lines = Math.max(out.lines, y + 1);
    }
    return col ? out : null;
  }

  function labelFor(y) {
    if (m.rows[y]) return m.rows[y];
    var used = {};
    Object.keys(m.rows).forEach(function (k) { used[m.rows[k]] = true; });
    for (var n = 0; ; n++) {
      var l = n < LABELS.length ? LABELS.charAt(n) : LABELS.charAt(Math.floor(n / LABELS.length) - 1) + LABELS.charAt(n % LABELS.length);
      if (!used[l]) { m.rows[y] = l; return l; }
    }
  }

  function seatsOfLine(y) {
    var xs = [];
    for (var x = 0; x < m.cols; x++) if (m.cells[key(x, y)]) xs.push(x);
    return xs;
  }

  // serialize writes the layout as CSV: rows front to back; a line where a
  // seat was added or removed is numbered again from the left.
  function serialize() {
    var out = ["row,number,x,y,kind,zone"];
    for (var y = 0; y < m.lines; y++) {
      var xs = seatsOfLine(y);
      if (!xs.length) continue;
      var label = labelFor(y);
      xs.forEach(function (x, i) {
        var c = m.cells[key(x, y)];
        if (m.dirty[y] || !c.number) c.number = i + 1;
        out.push([label, c.number, x, y, c.kind, c.zone || ""].join(","));
      });
    }
    m.dirty = {};
    return out.join("\n") + "\n";
  }

  function seatName(x, y) {
    var c = m.cells[key(x, y)];
    return c ? (m.rows[y] || "?") + c.number : "";
  }

  function describe(x, y) {
    var c = m.cells[key(x, y)];
    var where = "column " + (x + 1) + ", line " + (y + 1);
    if (!c) return where + ": gap";
    var s = "Seat " + seatName(x, y) + ", " + (NAMES[c.kind] || c.kind) + (c.zone ? ", zone " + c.zone : "") + " (" + where + ")";
    if (locked[seatName(x, y)]) s += " — sold for a coming show: it can't move or vanish in this version";
    return s;
  }

  function draw() {
    serialize(); // numbers and labels up to date for drawing
    grid.innerHTML = "";
    for (var y = 0; y < m.lines; y++) {
      var row = document.createElement("div");
      row.className = "lg-row";
      row.setAttribute("role", "row");
      var lab = document.createElement("span");
      lab.className = "lg-label";
      lab.setAttribute("aria-hidden", "true");
      lab.textContent = seatsOfLine(y).length ? m.rows[y] : "";
      row.appendChild(lab);
      for (var x = 0; x < m.cols; x++) {
        var c = m.cells[key(x, y)];
        var el = document.createElement("span");
        el.id = "lg-" + x + "-" + y;
        el.setAttribute("role", "gridcell");
        el.dataset.x = x;
        el.dataset.y = y;
        el.dataset.kind = c ? c.kind : "gap";
        var cls = "lg-cell";
        if (c) {
          cls += " k-" + c.kind;
          el.textContent = c.kind === "wheelchair" ? "♿" : c.kind === "blocked" ? "×" : String(c.number);
          if (locked[seatName(x, y)]) cls += " lg-locked";
        } else {
          el.textContent = "·";
        }
        if (x === cx && y === cy) cls += " lg-cursor";
        el.className = cls;
        el.setAttribute("aria-label", describe(x, y));
        row.appendChild(el);
      }
      grid.appendChild(row);
    }
    grid.setAttribute("aria-activedescendant", "lg-" + cx + "-" + cy);
    if (status) status.textContent = describe(cx, cy);
    colsIn.value = m.cols;
    linesIn.value = m.lines;
  }

  function changed() {
    ta.value = serialize();
    draw();
    ta.dispatchEvent(new Event("layout-changed"));
  }

  function setKind(kind) {
    var k = key(cx, cy);
    if (m.cells[k]) {
      m.cells[k].kind = kind;
    } else {
      m.cells[k] = { kind: kind, zone: zoneIn.value.trim().toLowerCase(), number: 0 };
      m.dirty[cy] = true;
    }
    if (cx < m.cols - 1) cx++;
    changed();
  }

  function clearCell() {
    var k = key(cx, cy);
    if (!m.cells[k]) return;
    delete m.cells[k];
    m.dirty[cy] = true;
    changed();
  }

  function resize(cols, lines) {
    cols = Math.max(1, Math.min(80, cols | 0));
    lines = Math.max(1, Math.min(50, lines | 0));
    Object.keys(m.cells).forEach(function (k) {
      var p = k.split(",");
      if (+p[0] >= cols || +p[1] >= lines) { delete m.cells[k]; m.dirty[+p[1]] = true; }
    });
    m.cols = cols;
    m.lines = lines;
    cx = Math.min(cx, cols - 1);
    cy = Math.min(cy, lines - 1);
    changed();
  }

  grid.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var k = e.key;
    var handled = true;
    switch (k) {
      case "ArrowLeft": cx = Math.max(0, cx - 1); draw(); break;
      case "ArrowRight": cx = Math.min(m.cols - 1, cx + 1); draw(); break;
      case "ArrowUp": cy = Math.max(0, cy - 1); draw(); break;
      case "ArrowDown": cy = Math.min(m.lines - 1, cy + 1); draw(); break;
      case "Home": cx = 0; draw(); break;
      case "End": cx = m.cols - 1; draw(); break;
      case " ": case "Delete": case "Backspace": case ".": clearCell(); break;
      default:
        var lower = k.length === 1 ? k.toLowerCase() : "";
        if (KINDS[lower]) {
          setKind(KINDS[lower]);
        } else if (lower === "z") {
          var c = m.cells[key(cx, cy)];
          if (c) { c.zone = zoneIn.value.trim().toLowerCase(); changed(); }
        } else if (lower === "r") {
          if (!seatsOfLine(cy).length) break;
          var name = window.prompt("Name of row " + labelFor(cy) + " (1 to 3 letters)", labelFor(cy));
          if (name && /^[A-Za-z]{1,3}$/.test(name.trim())) { m.rows[cy] = name.trim().toUpperCase(); changed(); }
        } else {
          handled = false;
        }
    }
    if (handled) e.preventDefault();
  });

  grid.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[role=gridcell]") : null;
    if (!el) return;
    cx = +el.dataset.x;
    cy = +el.dataset.y;
    grid.focus();
    draw();
  });

  colsIn.addEventListener("change", function () { resize(+colsIn.value, m.lines); });
  linesIn.addEventListener("change", function () { resize(m.cols, +linesIn.value); });

  // Typing in the CSV redraws the grid (when it can be read at all).
  var timer = null;
  ta.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var p = parse(ta.value);
      if (!p) return;
      p.cols = Math.max(p.cols, m.cols);
      p.lines = Math.max(p.lines, m.lines);
      m = p;
      draw();
    }, 300);
  });

  var first = parse(ta.value) || m;
  m = first;
  m.cols = Math.min(80, m.cols + (m.cols < 80 ? 1 : 0)); // room to add a seat at the side
  m.lines = Math.min(50, m.lines + (m.lines < 50 ? 1 : 0)); // and a row at the back
  draw();
})();
