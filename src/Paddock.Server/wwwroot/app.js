// The Paddock workbench: pick a model, fill the form its schema describes, run it, watch it render,
// compare takes, and copy the same request as code. Everything goes through the public API.

import { api, ApiError, EventStream, parseProblems, storedKey, storeKey } from "./api.js";
import { $, copyText, el, tabs } from "./dom.js";
import { SchemaForm } from "./form.js";
import { snippets } from "./snippets.js";

const HISTORY_PAGE_SIZE = 24;
const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
// Row fields that describe the generation rather than the request.
const ROW_FIELDS = new Set([
  "generation_id", "model_name", "media_type", "status", "result_url", "error_message", "enqueued_at", "started_at",
  "completed_at", "target_namespace", "progress", "attempt", "expires_at", "pinned", "expired_at", "result_url_expires_at",
  // What the OpenAI face (/v1) records on the rows it makes: the size asked, a remix's source; not a model field.
  "openai",
]);

/**
 * A short form of a generation id that tells takes apart: ids are UUIDv7, whose first digits are the time they were
 * made (the same for takes queued together) and whose last digits are random.
 */
const shortId = (id) => `…${id.slice(-8)}`;

const state = {
  namespace: null,
  models: [],
  model: null,
  runs: new Map(), // generation id → run card being watched or shown
  history: { rows: [], page: 0, more: false },
  selected: new Set(),
  thumbnails: new Map(),
};

const form = new SchemaForm({
  basic: $("#fields-basic"),
  advanced: $("#fields-advanced"),
  more: $("#fields-more"),
  upload: uploadImage,
  thumbnail: thumbnailFor,
  onChange: formChanged,
});

const events = new EventStream(onEvent, (connected) => {
  const badge = $("#stream-state");
  badge.textContent = connected ? "live" : "polling";
  badge.classList.toggle("live", connected);
});

// ---------------------------------------------------------------- key

async function start() {
  wireStaticControls();
  const key = storedKey();
  if (!key) return showKeyPanel();
  try {
    const { namespace } = await api.whoami();
    await openWorkbench(namespace);
  } catch (error) {
    showKeyPanel(error instanceof ApiError && error.status === 401 ? "The saved key is no longer valid; enter another." : `Could not reach the server: ${error.message}`);
  }
}

function showKeyPanel(message) {
  events.stop();
  $("#workbench").hidden = true;
  $("#key-panel").hidden = false;
  // Changing a key that works can be called off; a refused key cannot.
  $("#key-cancel").hidden = !(message === null && state.namespace && storedKey());
  setError($("#api-key-error"), message);
  $("#api-key").value = "";
  $("#api-key").focus();
}

async function saveKey(event) {
  event.preventDefault();
  const key = $("#api-key").value.trim();
  if (!key) return setError($("#api-key-error"), "Paste the API key first.");
  try {
    const { namespace } = await api.whoami(key);
    storeKey(key);
    setError($("#api-key-error"), null);
    await openWorkbench(namespace);
  } catch (error) {
    setError($("#api-key-error"), error instanceof ApiError ? error.detail : `Could not reach the server: ${error.message}`);
    $("#api-key").focus();
  }
}

async function openWorkbench(namespace) {
  if (state.namespace !== namespace) {
    // Another namespace: nothing shown so far belongs to it.
    state.runs.clear();
    state.selected.clear();
    $("#runs").replaceChildren();
    $("#result-empty").hidden = false;
    $("#compare").hidden = true;
  }
  state.namespace = namespace;
  $("#namespace").textContent = namespace;
  $("#key-panel").hidden = true;
  $("#account").hidden = false;
  const { data } = await api.models();
  state.models = data;
  const picker = $("#model");
  picker.replaceChildren(...data.map((m) => el("option", { value: m.id }, `${m.display_name} (${m.id})`)));
  $("#model-picker").hidden = false;
  $("#workbench").hidden = false;
  const wanted = decodeURIComponent(/^\/workbench\/([^/]+)/.exec(location.pathname)?.[1] ?? "");
  const last = localStorage.getItem("paddock.model");
  // A first visit opens the original page's model, reference-to-video, rather than whichever sorts first.
  const model = data.find((m) => m.id === wanted) ?? data.find((m) => m.id === last)
    ?? data.find((m) => m.id === "happyhorse-1.0-r2v") ?? data[0];
  selectModel(model.id);
  if (wanted && model.id !== wanted) showFormError(`There is no model '${wanted}' on this server; showing ${model.id}.`);
  events.start();
  loadHistory(true);
  loadUsage();
}

// ---------------------------------------------------------------- model and form

function selectModel(id, values) {
  const model = state.models.find((m) => m.id === id);
  if (!model) return;
  state.model = model;
  $("#model").value = id;
  localStorage.setItem("paddock.model", id);
  const path = `/workbench/${encodeURIComponent(id)}`;
  if (location.pathname !== path) history.replaceState(null, "", path);
  document.title = `${model.display_name} · Paddock workbench`;
  $("#model-title").textContent = model.display_name;
  $("#model-description").textContent = model.description ?? "";
  $("#model-engine").textContent = model.engine?.name ? `Rendered by the ${model.engine.name} engine: ${model.engine.description ?? ""}` : "";
  form.render(model);
  let saved = values;
  if (!saved) {
    try {
      saved = JSON.parse(localStorage.getItem(`paddock.form.${id}`) ?? "null") ?? undefined;
    } catch {
      saved = undefined;
    }
  }
  form.setValues(saved);
  showFormError(null);
  renderSnippets();
}

let saveTimer = 0;
function formChanged() {
  renderSnippets();
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => localStorage.setItem(`paddock.form.${state.model.id}`, JSON.stringify(form.values())), 200);
}

const takes = () => Number($("#num-generations").value) || 1;

async function uploadImage(file) {
  const safe = file.name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+/, "").slice(-80) || "image.png";
  const stamp = new Date().toISOString().replace(/[-:TZ.]/g, "").slice(0, 14);
  const stored = await api.upload(state.namespace, `uploads/${stamp}-${Math.random().toString(36).slice(2, 6)}-${safe}`, file);
  state.thumbnails.set(stored.url, URL.createObjectURL(file));
  return stored.url;
}

/** An <img> source for a reference URL: this server's file routes need the key, so those are fetched with it. */
async function thumbnailFor(url) {
  if (state.thumbnails.has(url)) return state.thumbnails.get(url);
  let src = url;
  if (url.startsWith(`${location.origin}/api/repos/`)) src = await api.blobUrl(url);
  state.thumbnails.set(url, src);
  return src;
}

function showFormError(message) {
  setError($("#form-error"), message);
}

function setError(node, message) {
  node.textContent = message ?? "";
  node.hidden = !message;
}

// ---------------------------------------------------------------- run and progress

async function run(event) {
  event.preventDefault();
  const button = $("#run");
  form.clearErrors();
  showFormError(null);
  button.disabled = true;
  try {
    button.textContent = "Uploading…";
    await form.settled();
    const problems = form.validate();
    if (problems.length) {
      form.showProblems(problems);
      return;
    }
    button.textContent = "Queuing…";
    const body = { model: state.model.id, ...form.values() };
    if (takes() > 1) body.num_generations = takes();
    const answer = await api.enqueue(body);
    // The result panel shows this run; earlier ones live on in the history.
    state.runs.clear();
    $("#runs").replaceChildren();
    answer.generations.forEach((g, i) => addRun(g.generation_id, i, answer.generations.length, g.status));
    // In one column the result sits below the form: bring it into view.
    const result = $(".result").getBoundingClientRect();
    if (result.top > innerHeight || result.bottom < 0) $(".result").scrollIntoView({ behavior: "smooth", block: "start" });
    loadHistory(true);
  } catch (error) {
    if (error instanceof ApiError) showServerProblems(error.detail, error.status);
    else showFormError(`Could not reach the server: ${error.message}`);
  } finally {
    button.disabled = false;
    button.textContent = "Run";
  }
}

/** The server's `detail`, each problem beside the field it names; the rest under the Run button. */
function showServerProblems(detail, status) {
  if (status === 401) return showKeyPanel("The server did not accept the key; enter it again.");
  const unplaced = form.showProblems(parseProblems(detail));
  if (unplaced.length) showFormError(unplaced.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join("\n"));
}

function addRun(id, index, count, status) {
  $("#result-empty").hidden = true;
  const title = count > 1 ? `Take ${index + 1}` : "Take";
  const badge = el("span", { class: `badge ${status}` }, status);
  const cancel = el("button", { type: "button", class: "link" }, "Cancel");
  const progress = el("progress", { max: "100", value: "0", "aria-label": `${title} progress` });
  const phase = el("p", { class: "run-phase muted" }, "Queued");
  const media = el("div", { class: "run-media" });
  const card = el(
    "li",
    { class: "run", "data-id": id },
    el("div", { class: "run-head" }, badge, el("strong", {}, title), el("code", { class: "muted small run-id", title: id }, shortId(id)), cancel),
    progress,
    phase,
    media,
  );
  $("#runs").append(card);
  const run = { id, card, badge, progress, phase, media, cancel, status, updated: Date.now(), done: false };
  cancel.addEventListener("click", async () => {
    cancel.disabled = true;
    try {
      await api.cancel(id);
      await poll(run);
    } catch (error) {
      phase.textContent = `Could not cancel: ${error.message}`;
    }
  });
  state.runs.set(id, run);
  poll(run);
}

function update(run, { status, phase, percent, eta, position }) {
  run.updated = Date.now();
  if (status) {
    run.status = status;
    run.badge.textContent = status;
    run.badge.className = `badge ${status}`;
  }
  if (typeof percent === "number") run.progress.value = percent;
  const words = { processing: "rendering" };
  const said = String(phase ?? words[run.status] ?? run.status).replaceAll("_", " ");
  const parts = [said.charAt(0).toUpperCase() + said.slice(1)];
  if (typeof position === "number") parts.push(`position ${position}`);
  if (typeof percent === "number" && run.status === "processing") parts.push(`${Math.round(percent)}%`);
  if (typeof eta === "number" && eta > 0) parts.push(`about ${Math.ceil(eta)} s left`);
  run.phase.textContent = parts.join(" · ");
}

async function poll(run) {
  if (run.polling) return;
  run.polling = true;
  try {
    const row = await api.generation(run.id);
    update(run, { status: row.status, phase: row.progress?.phase, percent: row.progress?.percent, eta: row.progress?.eta_seconds, position: row.progress?.queue_position ?? undefined });
    if (TERMINAL.has(row.status)) finish(run, row);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showKeyPanel("The server did not accept the key; enter it again.");
  } finally {
    run.polling = false;
  }
}

function finish(run, row) {
  if (run.done) return;
  run.done = true;
  run.cancel.hidden = true;
  run.progress.value = row.status === "succeeded" ? 100 : run.progress.value;
  if (row.status === "succeeded") {
    const video = el("video", { controls: true, muted: true, loop: true, playsinline: true, preload: "auto" });
    // Muted before the source is set, so the browser's autoplay rules let it start on its own.
    video.muted = true;
    video.src = row.result_url;
    const facts = el("p", { class: "muted small video-facts" });
    video.addEventListener("loadedmetadata", () => {
      facts.textContent = `${video.videoWidth}×${video.videoHeight} · ${video.duration.toFixed(1)} s · seed ${row.seed ?? "—"}`;
    });
    run.phase.textContent = "Done";
    run.media.replaceChildren(video, facts, el("a", { href: row.result_url, download: `${row.generation_id}.mp4`, class: "small" }, "Download MP4"));
    video.play().catch(() => {}); // refused autoplay leaves the controls to the user
  } else if (row.status === "failed") {
    run.phase.textContent = "Failed";
    const message = row.error_message ?? "the generation failed";
    run.media.replaceChildren(el("p", { class: "field-error", role: "alert" }, message));
    // A reference problem names its field (reference_images[1]: …): show it there too.
    if (row.model_name === state.model?.id) form.showProblems(parseProblems(message).filter((p) => p.field), { focus: false });
  } else {
    run.phase.textContent = "Cancelled";
  }
}

function onEvent(type, data) {
  if (type === "media_generation_completed" || type === "media_generation_cancelled") scheduleHistoryRefresh();
  const run = state.runs.get(data.generation_id);
  if (!run || run.done) return;
  if (type === "media_generation_started") update(run, { status: "processing", phase: "starting", percent: 0 });
  else if (type === "media_generation_progress") update(run, { status: "processing", phase: data.phase, percent: data.percent, eta: data.eta_seconds });
  else if (type === "media_generation_requeued") update(run, { status: "queued", phase: "queued again", percent: 0 });
  else if (type === "media_generation_completed" || type === "media_generation_cancelled") poll(run);
}

// The event stream drives progress; polling covers a stream that is down or an event that never came.
setInterval(() => {
  for (const run of state.runs.values()) {
    if (run.done) continue;
    const quiet = Date.now() - run.updated;
    if (!events.connected || quiet > 5000) poll(run);
  }
}, 1000);

// ---------------------------------------------------------------- history

let historyTimer = 0;
function scheduleHistoryRefresh() {
  clearTimeout(historyTimer);
  historyTimer = setTimeout(() => {
    loadHistory(true);
    loadUsage(); // a generation that ended is counted on the day it ended
  }, 300);
}

async function loadHistory(reset) {
  const page = reset ? 1 : state.history.page + 1;
  try {
    const answer = await api.generations(page, HISTORY_PAGE_SIZE);
    const rows = reset ? answer.generations : [...state.history.rows, ...answer.generations];
    state.history = { rows, page, more: page < (answer.total_pages ?? 0) };
    renderHistory();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showKeyPanel("The server did not accept the key; enter it again.");
  }
}

const requestParams = (row) => {
  const params = { prompt: row.prompt };
  for (const [name, value] of Object.entries(row)) if (!ROW_FIELDS.has(name) && name !== "prompt") params[name] = value;
  return params;
};

const formatValue = (value) => (Array.isArray(value) ? value.map((v) => String(v).split("/").pop()).join(", ") : String(value));
const ago = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
function when(seconds) {
  const delta = seconds - Date.now() / 1000;
  const abs = Math.abs(delta);
  if (abs < 60) return ago.format(Math.round(delta), "second");
  if (abs < 3600) return ago.format(Math.round(delta / 60), "minute");
  if (abs < 86400) return ago.format(Math.round(delta / 3600), "hour");
  return new Date(seconds * 1000).toLocaleString();
}

function renderHistory() {
  const list = $("#history-list");
  const { rows, more } = state.history;
  $("#history-empty").hidden = rows.length > 0;
  $("#history-more").hidden = !more;
  for (const id of state.selected) if (!rows.some((r) => r.generation_id === id && r.status === "succeeded")) state.selected.delete(id);
  list.replaceChildren(...rows.map(historyItem));
  updateCompareButton();
}

function historyItem(row) {
  const id = row.generation_id;
  const params = requestParams(row);
  const media = row.status === "succeeded" && row.result_url
    ? el("video", { src: `${row.result_url}#t=0.5`, preload: "metadata", muted: true, playsinline: true, controls: true, "aria-label": `Video of ${shortId(id)}` })
    : row.expired_at != null
      ? el("div", { class: "placeholder expired", title: row.status_message ?? "" }, "expired")
      : el("div", { class: `placeholder ${row.status}` }, row.status);
  const pick = el("input", { type: "checkbox", id: `pick-${id}`, class: "compare-pick", "data-id": id });
  pick.checked = state.selected.has(id);
  pick.disabled = row.status !== "succeeded" || !row.result_url; // an expired video cannot be compared
  pick.addEventListener("change", () => {
    if (pick.checked) state.selected.add(id);
    else state.selected.delete(id);
    updateCompareButton();
  });
  const reuse = el("button", { type: "button", class: "secondary small-button" }, "Use parameters");
  reuse.addEventListener("click", () => useParameters(row));
  const details = el(
    "dl",
    { class: "params" },
    ...Object.entries(params)
      .filter(([name]) => name !== "prompt")
      .flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, formatValue(value))]),
  );
  return el(
    "li",
    { class: "history-item", "data-id": id },
    el("div", { class: "history-media" }, media),
    el(
      "div",
      { class: "history-meta" },
      el("div", { class: "history-head" }, el("span", { class: `badge ${row.status}` }, row.status), el("span", { class: "model-name" }, row.model_name), el("time", { datetime: new Date(row.enqueued_at * 1000).toISOString(), class: "muted small" }, when(row.enqueued_at))),
      el("p", { class: "prompt" }, row.prompt ?? ""),
      details,
      row.error_message ? el("p", { class: "field-error" }, row.error_message) : null,
      el("div", { class: "history-actions" }, el("label", { class: "pick", for: `pick-${id}` }, pick, " Compare"), reuse),
    ),
  );
}

function useParameters(row) {
  const params = requestParams(row);
  if (state.models.some((m) => m.id === row.model_name)) selectModel(row.model_name, params);
  else form.setValues(params);
  formChanged();
  $("#tab-form").click();
  $(".request").scrollIntoView({ behavior: "smooth", block: "start" });
  $("#request-form").querySelector("input, textarea, select, button")?.focus({ preventScroll: true });
}

function updateCompareButton() {
  const button = $("#compare-selected");
  const n = state.selected.size;
  button.disabled = n < 2;
  button.textContent = n ? `Compare selected (${n})` : "Compare selected";
}

// ---------------------------------------------------------------- compare

function openCompare() {
  // Columns in the order the takes were picked: A is the first one chosen.
  const rows = [...state.selected].map((id) => state.history.rows.find((r) => r.generation_id === id)).filter(Boolean);
  if (rows.length < 2) return;
  const names = [];
  for (const row of rows) for (const name of Object.keys({ model: 0, ...requestParams(row) })) if (!names.includes(name)) names.push(name);
  const valueOf = (row, name) => (name === "model" ? row.model_name : requestParams(row)[name]);
  const differs = (name) => new Set(rows.map((r) => JSON.stringify(valueOf(r, name) ?? null))).size > 1;
  const letter = (i) => String.fromCharCode(65 + i);

  const grid = $("#compare-grid");
  grid.style.setProperty("--columns", String(rows.length));
  const videos = rows.map((row, i) => {
    const video = el("video", { muted: true, playsinline: true, preload: "auto", controls: true, "aria-label": `Take ${letter(i)}` });
    video.muted = true;
    video.src = row.result_url;
    return video;
  });
  grid.replaceChildren(
    ...rows.map((row, i) => {
      const changed = names.filter(differs).map((name) => `${name} ${formatValue(valueOf(row, name) ?? "—")}`);
      return el(
        "figure",
        { class: "compare-item", "data-id": row.generation_id },
        videos[i],
        el("figcaption", {}, el("strong", {}, letter(i)), " ", changed.length ? changed.join(" · ") : "same parameters"),
      );
    }),
  );

  const table = $("#compare-params");
  const caption = table.querySelector("caption");
  const head = el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "parameter"), ...rows.map((_, i) => el("th", { scope: "col" }, letter(i)))));
  const body = el(
    "tbody",
    {},
    ...names.map((name) => {
      const diff = differs(name);
      return el(
        "tr",
        { class: diff ? "differs" : "" },
        el("th", { scope: "row" }, name, diff ? el("span", { class: "diff-mark", title: "differs" }, " ≠") : null),
        ...rows.map((row) => el("td", {}, formatValue(valueOf(row, name) ?? "—"))),
      );
    }),
  );
  table.replaceChildren(caption, head, body);
  syncPlayback(videos);
  state.compareVideos = videos;
  const section = $("#compare");
  section.hidden = false;
  section.scrollIntoView({ behavior: "smooth", block: "start" });
  $("#compare-play").focus({ preventScroll: true });
  Promise.all(videos.map((v) => new Promise((resolve) => (v.readyState >= 2 ? resolve() : v.addEventListener("canplay", resolve, { once: true }))))).then(() => playAll(true));
}

/** Playing, pausing or seeking one video does the same to the others, so takes stay frame-aligned. */
function syncPlayback(videos) {
  const others = (v) => videos.filter((o) => o !== v);
  for (const v of videos) {
    v.addEventListener("play", () => {
      for (const o of others(v)) {
        if (!o.paused) continue;
        if (Math.abs(o.currentTime - v.currentTime) > 0.1) o.currentTime = Math.min(v.currentTime, o.duration || v.currentTime);
        o.play().catch(() => {});
      }
    });
    v.addEventListener("pause", () => {
      if (v.ended) return;
      for (const o of others(v)) if (!o.paused) o.pause();
    });
    v.addEventListener("seeked", () => {
      for (const o of others(v)) if (Math.abs(o.currentTime - v.currentTime) > 0.25) o.currentTime = Math.min(v.currentTime, o.duration || v.currentTime);
    });
  }
  // Decoders drift apart a little; pull the followers back to the first video.
  videos[0].addEventListener("timeupdate", () => {
    if (videos[0].paused) return;
    for (const o of others(videos[0])) if (!o.paused && !o.ended && Math.abs(o.currentTime - videos[0].currentTime) > 0.3) o.currentTime = videos[0].currentTime;
  });
}

function playAll(restart) {
  const videos = state.compareVideos ?? [];
  for (const v of videos) if (restart || v.ended) v.currentTime = 0;
  for (const v of videos) v.play().catch(() => {});
}

function closeCompare() {
  for (const v of state.compareVideos ?? []) v.pause();
  state.compareVideos = [];
  $("#compare").hidden = true;
  $("#compare-selected").focus();
}

// ---------------------------------------------------------------- API tab

function renderSnippets() {
  if (!state.model) return;
  const list = snippets({ baseUrl: location.origin, model: state.model.id, values: form.values(), count: takes() });
  const tabList = $("#snippet-tabs");
  if (!tabList.childElementCount) buildSnippetTabs(list);
  for (const snippet of list) $(`#code-${snippet.id}`).textContent = snippet.code;
}

function buildSnippetTabs(list) {
  const tabList = $("#snippet-tabs");
  const panels = $("#snippet-panels");
  list.forEach((snippet, i) => {
    tabList.append(
      el("button", { type: "button", role: "tab", id: `snippet-tab-${snippet.id}`, "aria-controls": `snippet-${snippet.id}`, "aria-selected": String(i === 0), tabindex: i === 0 ? "0" : "-1" }, snippet.label),
    );
    const copy = el("button", { type: "button", class: "secondary copy", "data-copy": snippet.id, "aria-describedby": `snippet-tab-${snippet.id}` }, "Copy");
    const done = el("span", { class: "copied muted small", "aria-live": "polite" });
    copy.addEventListener("click", async () => {
      const ok = await copyText($(`#code-${snippet.id}`).textContent);
      done.textContent = ok ? "Copied" : "Select the text and copy it";
      setTimeout(() => (done.textContent = ""), 2000);
    });
    panels.append(
      el(
        "div",
        { role: "tabpanel", id: `snippet-${snippet.id}`, "aria-labelledby": `snippet-tab-${snippet.id}`, class: "snippet", hidden: i !== 0 },
        el("div", { class: "snippet-head" }, el("span", { class: "muted small" }, snippet.language), done, copy),
        el("pre", { tabindex: "0", "aria-label": `${snippet.label} code` }, el("code", { id: `code-${snippet.id}`, class: `language-${snippet.language}` })),
      ),
    );
  });
  tabs(tabList);
}

// ---------------------------------------------------------------- usage

const seconds = (value, digits = 0) => `${Number(value).toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits })} s`;

/** The counts of one row or the totals: generations (with their outcomes), seconds of video (by resolution), wall time. */
function usageCells(sums) {
  const outcomes = ["succeeded", "failed", "cancelled"].filter((k) => sums[k] > 0).map((k) => `${sums[k]} ${k}`).join(" · ");
  const resolutions = Object.entries(sums.video_seconds_by_resolution ?? {})
    .filter(([, value]) => value > 0)
    .map(([resolution, value]) => `${resolution} ${seconds(value)}`)
    .join(" · ");
  const cell = (value, detail) => el("td", { class: "number" }, el("span", { class: "value" }, value), detail ? el("span", { class: "muted small detail" }, detail) : null);
  return [cell(String(sums.generations), outcomes), cell(seconds(sums.video_seconds), resolutions), cell(seconds(sums.wall_seconds, 1))];
}

async function loadUsage() {
  try {
    const answer = await api.usage();
    $("#usage-error").hidden = true;
    $("#usage-range").textContent = `UTC days ${answer.from} to ${answer.to}: the generations that ended on each day, by model.`;
    // Newest day first, as the history is.
    const rows = [...answer.usage].sort((a, b) => b.day.localeCompare(a.day) || a.model.localeCompare(b.model));
    $("#usage-empty").hidden = rows.length > 0;
    $("#usage-scroll").hidden = rows.length === 0;
    $("#usage-rows").replaceChildren(...rows.map((row) => el("tr", { "data-day": row.day, "data-model": row.model },
      el("td", {}, el("time", { datetime: row.day }, row.day)), el("td", { class: "model-name" }, row.model), ...usageCells(row))));
    $("#usage-totals").replaceChildren(el("tr", {}, el("th", { scope: "row", colspan: 2 }, "Total"), ...usageCells(answer.totals)));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return showKeyPanel("The server did not accept the key; enter it again.");
    $("#usage-error").textContent = `Could not read the usage: ${error.message}`;
    $("#usage-error").hidden = false;
  }
}

// ---------------------------------------------------------------- wiring

function wireStaticControls() {
  $("#key-form").addEventListener("submit", saveKey);
  $("#change-key").addEventListener("click", () => showKeyPanel(null));
  $("#key-cancel").addEventListener("click", () => openWorkbench(state.namespace));
  $("#model").addEventListener("change", (event) => selectModel(event.target.value));
  $("#request-form").addEventListener("submit", run);
  $("#reset-form").addEventListener("click", () => {
    form.setValues(undefined);
    form.clearErrors();
    showFormError(null);
    formChanged();
  });
  $("#num-generations").addEventListener("change", renderSnippets);
  $("#history-refresh").addEventListener("click", () => loadHistory(true));
  $("#history-more").addEventListener("click", () => loadHistory(false));
  $("#usage-refresh").addEventListener("click", loadUsage);
  $("#compare-selected").addEventListener("click", openCompare);
  $("#compare-play").addEventListener("click", () => playAll(false));
  $("#compare-pause").addEventListener("click", () => (state.compareVideos ?? []).forEach((v) => v.pause()));
  $("#compare-restart").addEventListener("click", () => playAll(true));
  $("#compare-close").addEventListener("click", closeCompare);
  tabs($("#request-tabs"), (tab) => {
    if (tab.id === "tab-api") renderSnippets();
  });
  // Dropping a file anywhere but a drop zone must not navigate away from the page.
  for (const type of ["dragover", "drop"]) window.addEventListener(type, (event) => event.preventDefault());
}

start();
