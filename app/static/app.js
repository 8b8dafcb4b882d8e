// ferhil web app: the pages talk to the JSON API of app/server.py. No libraries, no network
// beyond this server. Text from the server is only ever set with textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const pct = (v, d = 1) => (v === null || v === undefined ? "–" : (100 * v).toFixed(d) + " %");

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function status(text, isError) {
  const s = $("status");
  s.textContent = text || "";
  s.className = isError ? "error" : "muted";
}

async function api(url, options) {
  const response = await fetch(url, options);
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) throw new Error((body && body.error) || response.status + " " + response.statusText);
  return body;
}

// ---- scores page ---------------------------------------------------------------------------
const SOURCES = [["float", "float model"], ["golden", "golden int8"], ["board", "board"]];

function drawPreview(bitmap, faces) {
  const canvas = $("preview");
  const scale = Math.min(1, 480 / bitmap.width, 360 / bitmap.height);
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  ctx.lineWidth = 3;
  ctx.font = "bold 16px sans-serif";
  faces.forEach((f, i) => {
    const [x, y, w, h] = f.box.map((v) => v * scale);
    ctx.strokeStyle = f.detected ? "#19a974" : "#e8a33d";
    ctx.strokeRect(x, y, w, h);
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fillText(String(i + 1), x + 4, y + 18);
  });
}

function faceTable(face, index, classes, sources) {
  const box = el("div", null, "face");
  const shown = SOURCES.filter(([key]) => face.scores[key]);
  const winner = (key) => classes.reduce((a, c) => (face.scores[key][c] > face.scores[key][a] ? c : a), classes[0]);
  box.appendChild(el("h2", "Face " + (index + 1) + ": " + winner("golden")));
  const table = el("table", null, "scores");
  const head = table.createTHead().insertRow();
  head.appendChild(el("th", "class"));
  shown.forEach(([key, label]) => head.appendChild(el("th", key === "board" && sources.board.name ? "board " + sources.board.name : label, "num")));
  const body = table.createTBody();
  classes.forEach((c) => {
    const row = body.insertRow();
    row.dataset.class = c;
    row.appendChild(el("th", c));
    shown.forEach(([key]) => {
      const p = face.scores[key][c];
      const cell = el("td", null, "num bar-cell");
      cell.dataset.source = key;
      cell.dataset.p = String(p);
      const bar = el("span", null, "bar" + (winner(key) === c ? " top" : ""));
      bar.style.width = (100 * p).toFixed(1) + "%";
      cell.appendChild(bar);
      cell.appendChild(el("span", pct(p), "value"));
      row.appendChild(cell);
    });
  });
  box.appendChild(table);
  return box;
}

async function scoreBlob(blob, name) {
  status("Scoring " + name + "…");
  const form = new FormData();
  form.append("image", blob, name);
  const t0 = performance.now();
  let result;
  try {
    result = await api("/api/predict", { method: "POST", body: form });
  } catch (err) {
    status(err.message, true);
    return;
  }
  const elapsed = performance.now() - t0;
  const bitmap = await createImageBitmap(blob).catch(() => null);
  if (bitmap) drawPreview(bitmap, result.faces);
  $("result").hidden = false;
  $("result-line").textContent = result.faces.length + " face(s) · " + result.image.width + "×" + result.image.height + " " + result.image.format + " · " + Math.round(elapsed) + " ms (server " + Math.round(result.elapsed_ms) + " ms)";
  const notes = $("notes");
  notes.replaceChildren();
  result.notes.forEach((n) => notes.appendChild(el("li", n)));
  Object.entries(result.sources).forEach(([key, s]) => { if (!s.available && key !== "board") notes.appendChild(el("li", s.reason)); });
  const faces = $("faces");
  faces.replaceChildren(...result.faces.map((f, i) => faceTable(f, i, result.classes, result.sources)));
  document.body.dataset.scored = String(result.faces.length);
  status("");
}

let webcamStream = null;

async function startWebcam() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    $("webcam-note").textContent = "This browser gives no webcam here (it needs https or localhost).";
    return;
  }
  try {
    webcamStream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  } catch (err) {
    $("webcam-note").textContent = "No webcam: " + err.message;
    return;
  }
  const video = $("webcam-video");
  video.srcObject = webcamStream;
  video.hidden = false;
  $("webcam-capture").hidden = false;
  $("webcam-stop").hidden = false;
  $("webcam-start").hidden = true;
}

function stopWebcam() {
  if (webcamStream) webcamStream.getTracks().forEach((t) => t.stop());
  webcamStream = null;
  $("webcam-video").hidden = true;
  $("webcam-capture").hidden = true;
  $("webcam-stop").hidden = true;
  $("webcam-start").hidden = false;
}

function captureWebcam() {
  const video = $("webcam-video");
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth || 640;
  canvas.height = video.videoHeight || 480;
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  canvas.toBlob((blob) => { if (blob) scoreBlob(blob, "webcam.png"); }, "image/png");
}

async function initPredict() {
  $("image-input").addEventListener("change", (ev) => {
    const file = ev.target.files[0];
    if (file) scoreBlob(file, file.name);
  });
  $("webcam-start").addEventListener("click", startWebcam);
  $("webcam-stop").addEventListener("click", stopWebcam);
  $("webcam-capture").addEventListener("click", captureWebcam);
  try {
    const info = await api("/api/info");
    const board = info.sources.board.available ? " · board " + info.sources.board.name : " · no board attached";
    $("model-line").textContent = "Model " + info.model.name + " v" + info.model.version + " (" + info.model.hash + ")" + board + (info.sources.float.available ? "" : " · " + info.sources.float.reason);
  } catch (err) {
    status(err.message, true);
  }
}

// ---- runs list -----------------------------------------------------------------------------
async function initRuns() {
  let data;
  try { data = await api("/api/runs"); } catch (err) { status(err.message, true); return; }
  const stores = $("stores");
  data.stores.forEach((s) => stores.appendChild(el("li", s.label + " store: " + s.url + (s.exists ? "" : " (none yet)"))));
  const body = $("runs-table").tBodies[0];
  data.runs.forEach((r) => {
    const row = body.insertRow();
    const link = el("a", r.id);
    link.href = "/runs/" + encodeURIComponent(r.id);
    row.insertCell().appendChild(link);
    row.appendChild(el("td", (r.started || "").replace("T", " ").slice(0, 19)));
    row.appendChild(el("td", r.status, "status-" + r.status));
    row.appendChild(el("td", (r.model_name || "?") + " v" + (r.model_version || "?")));
    row.appendChild(el("td", (r.board_kind || "?") + (r.simulated ? " (simulated)" : "")));
    row.appendChild(el("td", r.dataset_name || "–"));
    row.appendChild(el("td", r.samples_recorded, "num"));
    row.appendChild(el("td", pct(r.accuracy, 2), "num"));
    row.appendChild(el("td", r.store));
  });
  document.body.dataset.runs = String(data.runs.length);
  if (!data.runs.length) status("No runs recorded yet: start one on the Live run page or with `ferhil run`.");
}

// ---- one run -------------------------------------------------------------------------------
function fact(list, name, value) {
  list.appendChild(el("dt", name));
  list.appendChild(el("dd", value === null || value === undefined ? "–" : value));
}

function renderConfusion(table, classes, matrix) {
  const head = table.createTHead().insertRow();
  head.appendChild(el("th", "true \\ predicted"));
  classes.forEach((c) => head.appendChild(el("th", c)));
  const body = table.createTBody();
  matrix.forEach((row, i) => {
    const tr = body.insertRow();
    tr.appendChild(el("th", classes[i]));
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((n, j) => {
      const td = el("td", n, "num" + (i === j ? " diag" : ""));
      const share = n / total;
      td.style.backgroundColor = (i === j ? "rgba(25,169,116," : "rgba(220,60,60,") + (0.08 + 0.8 * share).toFixed(2) + ")";
      td.title = (100 * share).toFixed(1) + " % of " + classes[i];
      tr.appendChild(td);
    });
  });
}

async function initRun() {
  const runId = decodeURIComponent(location.pathname.split("/")[2] || "");
  let d;
  try { d = await api("/api/runs/" + encodeURIComponent(runId)); } catch (err) { status(err.message, true); return; }
  const id = d.identity;
  $("run-title").textContent = "Run " + runId;
  document.title = "ferhil · run " + runId;
  const verdict = $("verdict");
  verdict.textContent = d.verdict.status.toUpperCase();
  verdict.className = "badge verdict-" + d.verdict.status;
  $("verdict-reasons").textContent = d.verdict.reasons.join("; ");
  const links = $("run-links");
  [["report", "Run report"], ["comparison", "Comparison with baseline"], ["history", "History"]].forEach(([key, label]) => {
    const a = el("a", label);
    a.href = d.pages[key];
    links.appendChild(a);
    links.appendChild(document.createTextNode(" "));
  });
  const facts = $("run-facts");
  const s = d.summary;
  fact(facts, "model", (id.model_name || "?") + " v" + (id.model_version || "?"));
  fact(facts, "board", (id.board || "?") + (id.simulated ? " (simulated)" : ""));
  fact(facts, "data set", (d.dataset.name || "?") + " · " + (d.dataset.samples_run || s.samples || 0) + " images");
  fact(facts, "accuracy", pct(s.accuracy, 2));
  fact(facts, "golden accuracy", pct(s.golden_accuracy, 2));
  fact(facts, "golden matches", (s.matched_golden ?? "–") + " of " + (s.samples ?? "–") + (s.mismatched ? " (" + s.mismatched + " mismatched)" : ""));
  fact(facts, "failed samples", d.failed);
  if (s.latency_us) fact(facts, "latency p50 / p99", (s.latency_us.p50 ?? "–") + " / " + (s.latency_us.p99 ?? "–") + " µs");
  if (d.metrics) {
    fact(facts, "macro F1", pct(d.metrics.macro_f1, 2));
    const body = $("class-table").tBodies[0];
    d.classes.forEach((c, i) => {
      const row = body.insertRow();
      row.appendChild(el("th", c));
      row.appendChild(el("td", d.metrics.confusion[i].reduce((a, b) => a + b, 0), "num"));
      row.appendChild(el("td", pct(d.metrics.per_class_precision[c]), "num"));
      row.appendChild(el("td", pct(d.metrics.per_class_accuracy[c]), "num"));
      row.appendChild(el("td", pct(d.metrics.per_class_f1[c]), "num"));
    });
    const foot = $("class-table").tFoot.insertRow();
    foot.appendChild(el("th", "macro average"));
    foot.appendChild(el("td", d.metrics.samples, "num"));
    foot.appendChild(el("td", pct(d.metrics.macro_precision), "num"));
    foot.appendChild(el("td", pct(d.metrics.macro_recall), "num"));
    foot.appendChild(el("td", pct(d.metrics.macro_f1), "num"));
    renderConfusion($("confusion"), d.classes, d.metrics.confusion);
  }
  const gallery = $("gallery");
  const shown = d.misclassified.filter((m) => m.image).slice(0, 200);
  $("gallery-note").textContent = d.misclassified.length + " misclassified" + (shown.length < d.misclassified.length ? ", " + shown.length + " shown (images from the run's data set)" : "");
  shown.forEach((m) => {
    const fig = el("figure");
    const img = el("img");
    img.src = "/api/runs/" + encodeURIComponent(runId) + "/faces/" + m.index + ".png";
    img.alt = "sample " + m.index;
    img.width = 96;
    img.height = 96;
    img.loading = "lazy";
    fig.appendChild(img);
    fig.appendChild(el("figcaption", m.label + " → " + m.predicted + (m.match ? "" : " (≠ golden)")));
    gallery.appendChild(fig);
  });
  document.body.dataset.loaded = "1";
}

// ---- live run ------------------------------------------------------------------------------
function showProgress(p) {
  $("live-progress").max = Math.max(1, p.total);
  $("live-progress").value = p.done;
  $("live-done").textContent = p.done + " of " + p.total;
  $("live-accuracy").textContent = pct(p.accuracy);
  $("live-matched").textContent = p.matched;
  $("live-mismatched").textContent = p.mismatched;
  $("live-failed").textContent = p.failed;
}

function watch(job) {
  const source = new EventSource("/api/live/" + encodeURIComponent(job) + "/events");
  source.addEventListener("progress", (ev) => showProgress(JSON.parse(ev.data)));
  source.addEventListener("done", (ev) => {
    source.close();
    const d = JSON.parse(ev.data);
    showProgress(d.progress);
    $("live-stop").hidden = true;
    $("live-start").disabled = false;
    if (d.verdict) {
      const v = $("live-verdict");
      v.textContent = d.verdict.status.toUpperCase();
      v.className = "badge verdict-" + d.verdict.status;
      v.hidden = false;
    }
    if (d.run_id) {
      const a = $("live-link");
      a.href = "/runs/" + encodeURIComponent(d.run_id);
      a.textContent = "open run " + d.run_id;
      a.hidden = false;
    }
    if (d.error) {
      $("live-error").textContent = d.error;
      $("live-error").hidden = false;
    }
    status("The run has finished (exit code " + d.returncode + ").");
    document.body.dataset.finished = "1";
  });
}

async function initLive() {
  try {
    const info = await api("/api/info");
    $("board-line").textContent = "Runs use the " + info.run_board + " board and go into the app's work folder, never into out/.";
    const select = $("live-model");
    info.zoo.forEach((name) => {
      const option = el("option", name);
      option.value = name;
      option.selected = name === info.model.name || name === info.zoo[info.zoo.length - 1];
      select.appendChild(option);
    });
  } catch (err) {
    status(err.message, true);
  }
  let job = null;
  const attach = (id, total, board) => {
    job = id;
    $("live-panel").hidden = false;
    $("live-stop").hidden = false;
    $("live-start").disabled = true;
    showProgress({ total: total, done: 0, accuracy: null, matched: 0, mismatched: 0, failed: 0 });
    status("Running on " + board + " (building the firmware and starting the board first)…");
    watch(job);
  };
  $("live-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("live-start").disabled = true;
    ["live-verdict", "live-link", "live-error"].forEach((id) => { $(id).hidden = true; });
    delete document.body.dataset.finished;
    try {
      const started = await api("/api/live", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ limit: Number($("live-limit").value), model: $("live-model").value || null }),
      });
      attach(started.job, started.total, started.board);
    } catch (err) {
      $("live-start").disabled = false;
      status(err.message, true);
    }
  });
  api("/api/live").then((latest) => {
    if (latest.running && job === null) attach(latest.job, latest.total, "the board");
  }).catch((err) => status(err.message, true));
  $("live-stop").addEventListener("click", () => {
    if (job) api("/api/live/" + encodeURIComponent(job) + "/stop", { method: "POST" }).catch((err) => status(err.message, true));
  });
}

const PAGES = { predict: initPredict, runs: initRuns, run: initRun, live: initLive };
document.addEventListener("DOMContentLoaded", () => PAGES[document.body.dataset.page]());
