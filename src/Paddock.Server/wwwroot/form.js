// A form built from a model's published request schema: `basic` fields first, then the rest,
// each group in `x-order`; enums as <select>; integer ranges with their limits; image-URL fields
// with drag-and-drop upload and thumbnails. The same schema validates the request on the server.

import { el } from "./dom.js";

const SLIDER_SPAN = 100; // integer ranges up to this wide get a slider beside the number box

/** The properties of a schema in display order: `basic` ones first, each group by `x-order`. */
export function orderedProperties(schema) {
  const properties = Object.entries(schema?.properties ?? {});
  const basic = new Set(schema?.basic ?? properties.map(([name]) => name));
  const rank = (name, p) => [basic.has(name) ? 0 : 1, p["x-order"] ?? 1e6, name];
  return properties
    .map(([name, property]) => ({ name, property, basic: basic.has(name), key: rank(name, property) }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2].localeCompare(b.key[2]));
}

const isImageUrl = (p) => p?.renderType === "image-url" || p?.items?.renderType === "image-url";

// The server's rules for a reference image, in its words (src/Paddock.Core/References/ReferenceRules.cs and
// ImageInspector.cs): a file that breaks one is refused here, before it is uploaded, and Run waits until it is removed.
const MAX_BYTES = 10 * 1024 * 1024;
const MAX_PIXELS = 40_000_000;
const MIN_SHORTER_SIDE_EXCLUSIVE = 400;
const MAX_ASPECT = 2.5;
const round = (value, digits) => String(Math.round(value * 10 ** digits) / 10 ** digits);

/** What the first bytes say the file is, as the server words it: null for JPEG and PNG. */
function notAnImage(head) {
  const starts = (...bytes) => bytes.every((b, i) => head[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) || starts(0xff, 0xd8, 0xff)) return null;
  const ascii = (at, text) => [...text].every((c, i) => head[at + i] === c.charCodeAt(0));
  const why = head.length === 0 ? "it is empty"
    : ascii(0, "GIF8") ? "it is a GIF"
    : head.length >= 12 && ascii(0, "RIFF") && ascii(8, "WEBP") ? "it is a WebP"
    : ascii(0, "<") || starts(0xef, 0xbb, 0xbf, 0x3c) ? "it looks like HTML or XML"
    : "its first bytes match no supported format";
  return `is not a JPEG or PNG image (${why})`;
}

/** The first rule the image's size breaks, in the server's words, or null. */
export function ruleBroken(width, height) {
  const pixels = width * height;
  if (pixels > MAX_PIXELS) return `is ${width} × ${height} (${round(pixels / 1e6, 1)} megapixels); at most ${MAX_PIXELS / 1e6} megapixels are accepted`;
  const shorter = Math.min(width, height);
  if (shorter <= MIN_SHORTER_SIDE_EXCLUSIVE) return `shorter side is ${shorter} px; it must be more than ${MIN_SHORTER_SIDE_EXCLUSIVE} px`;
  const aspect = Math.max(width, height) / shorter;
  if (aspect > MAX_ASPECT) return `aspect ratio is ${round(aspect, 2)}:1 (${width} × ${height}); it must be at most ${MAX_ASPECT}:1`;
  return null;
}

/** Checks a chosen file as the server will: its size, JPEG or PNG by its bytes, then its dimensions. */
async function checkImageFile(file, src) {
  if (file.size > MAX_BYTES) return { problem: `is ${file.size} bytes; at most ${MAX_BYTES} bytes (10 MB) are accepted`, image: false };
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const wrongKind = notAnImage(head);
  if (wrongKind) return { problem: wrongKind, image: false };
  const probe = new Image();
  const loaded = await new Promise((resolve) => {
    probe.onload = () => resolve(true);
    probe.onerror = () => resolve(false);
    probe.src = src;
  });
  if (!loaded) return { problem: "could not be read as an image (the file is damaged or cut short)", image: false };
  return { problem: ruleBroken(probe.naturalWidth, probe.naturalHeight), image: true, size: `${probe.naturalWidth}×${probe.naturalHeight}` };
}

export class SchemaForm {
  /**
   * @param {object} options
   * @param {HTMLElement} options.basic       where the basic fields go
   * @param {HTMLElement} options.advanced    where the other fields go
   * @param {HTMLDetailsElement} options.more the <details> around the advanced fields
   * @param {(file: File) => Promise<string>} options.upload     uploads a file, answers its URL
   * @param {(url: string) => Promise<string>} options.thumbnail an <img> source for a URL
   * @param {() => void} options.onChange
   */
  constructor(options) {
    this.options = options;
    this.fields = new Map();
  }

  render(model) {
    const { basic, advanced, more } = this.options;
    basic.replaceChildren();
    advanced.replaceChildren();
    this.fields.clear();
    const schema = model.json_request_schema ?? model.request_schema ?? {};
    const required = new Set(schema.required ?? []);
    for (const { name, property, basic: isBasic } of orderedProperties(schema)) {
      const field = createField(name, property, required.has(name), this.options);
      this.fields.set(name, field);
      (isBasic ? basic : advanced).append(field.element);
    }
    more.hidden = advanced.childElementCount === 0;
  }

  /** The request fields as the form stands, in display order; empty optional fields are left out. */
  values() {
    const values = {};
    for (const [name, field] of this.fields) {
      const value = field.get();
      if (value !== undefined) values[name] = value;
    }
    return values;
  }

  /** Sets every field: to the given value, or to its default where none is given. */
  setValues(values) {
    for (const [name, field] of this.fields) field.set(values?.[name]);
    const advancedSet = Object.keys(values ?? {}).some((name) => this.options.advanced.contains(this.fields.get(name)?.element ?? null));
    if (advancedSet) this.options.more.open = true;
  }

  /** Waits for uploads still running, so a run never goes out with a missing reference. */
  async settled() {
    await Promise.all([...this.fields.values()].map((f) => f.settled?.()));
  }

  /** The checks the schema states, done before the server sees the request. */
  validate() {
    const problems = [];
    for (const [name, field] of this.fields) {
      const message = field.validate();
      if (message) problems.push({ field: name, index: null, message });
    }
    return problems;
  }

  clearErrors() {
    for (const field of this.fields.values()) field.setError(null);
  }

  /**
   * Shows each problem beside its field and, unless told not to (a failure that arrives later, while the user
   * may be typing elsewhere), focuses the first; answers the problems that name no field here.
   */
  showProblems(problems, { focus = true } = {}) {
    const messages = new Map();
    const unplaced = [];
    for (const problem of problems) {
      const field = problem.field ? this.fields.get(problem.field) : null;
      if (!field) {
        unplaced.push(problem);
        continue;
      }
      const text = problem.index !== null && field.describeIndex ? `${field.describeIndex(problem.index)}: ${problem.message}` : problem.message;
      messages.set(problem.field, [...(messages.get(problem.field) ?? []), text]);
    }
    for (const [name, list] of messages) this.fields.get(name).setError(list.join("\n"));
    const first = [...this.fields.keys()].find((name) => messages.has(name));
    if (first && focus) this.fields.get(first).focus();
    return unplaced;
  }
}

function createField(name, property, required, options) {
  if (isImageUrl(property)) return imageField(name, property, required, options);
  if (Array.isArray(property.enum)) return enumField(name, property, required, options);
  if (property.type === "integer" || property.type === "number") return numberField(name, property, required, options);
  if (property.type === "boolean") return booleanField(name, property, options);
  return textField(name, property, required, options);
}

/** What every field shares: label (or legend), hint, and the slot where its errors appear. */
function frame(name, property, required, { group = false } = {}) {
  const id = `f-${name}`;
  const title = property.title ?? name;
  const label = group
    ? el("legend", { class: "field-label", id: `${id}-label` }, title)
    : el("label", { class: "field-label", for: id }, title);
  // The wire name and "required" are for the eye; the control's own name and `required` say it to a screen reader.
  label.append(" ", el("code", { class: "field-name", "aria-hidden": "true" }, name));
  if (required) label.append(" ", el("span", { class: "required", "aria-hidden": "true" }, "required"));
  const hint = el("p", { class: "hint", id: `${id}-hint` }, property.description ?? "");
  const error = el("p", { class: "field-error", id: `${id}-error`, role: "alert", hidden: true });
  const element = el(group ? "fieldset" : "div", { class: "field", "data-field": name }, label);
  return { id, element, hint, error, describedBy: `${id}-hint ${id}-error` };
}

function errorSetter(error, controls) {
  return (message) => {
    error.textContent = message ?? "";
    error.hidden = !message;
    for (const control of controls()) {
      if (message) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    }
  };
}

function textField(name, property, required, { onChange }) {
  const f = frame(name, property, required);
  const long = name === "prompt" || (property.maxLength ?? 0) > 200;
  const input = long ? el("textarea", { id: f.id, name, rows: 3 }) : el("input", { id: f.id, name, type: "text" });
  input.setAttribute("aria-describedby", f.describedBy);
  if (property.maxLength) input.maxLength = property.maxLength;
  if (required) input.required = true;
  input.addEventListener("input", onChange);
  f.element.append(input, f.error, f.hint);
  const field = {
    element: f.element,
    get: () => (input.value === "" && !required ? undefined : input.value),
    set: (v) => (input.value = v ?? property.default ?? ""),
    validate() {
      if (input.value.trim() === "") return required || property.minLength ? "must not be empty" : null;
      if (property.maxLength && input.value.length > property.maxLength) return `must be at most ${property.maxLength} characters`;
      return null;
    },
    setError: errorSetter(f.error, () => [input]),
    focus: () => input.focus(),
  };
  field.set(undefined);
  return field;
}

function enumField(name, property, required, { onChange }) {
  const f = frame(name, property, required);
  const select = el("select", { id: f.id, name, "aria-describedby": f.describedBy });
  if (property.default === undefined && !required) select.append(el("option", { value: "" }, "(server default)"));
  for (const value of property.enum) {
    const label = value === property.default ? `${value} (default)` : String(value);
    select.append(el("option", { value: String(value) }, label));
  }
  select.addEventListener("change", onChange);
  f.element.append(select, f.error, f.hint);
  const field = {
    element: f.element,
    get() {
      if (select.value === "") return undefined;
      return property.enum.find((v) => String(v) === select.value) ?? select.value;
    },
    set: (v) => (select.value = v === undefined || v === null ? String(property.default ?? (required ? property.enum[0] : "")) : String(v)),
    validate: () => (required && select.value === "" ? "is required" : null),
    setError: errorSetter(f.error, () => [select]),
    focus: () => select.focus(),
  };
  field.set(undefined);
  return field;
}

function numberField(name, property, required, { onChange }) {
  const f = frame(name, property, required);
  const integer = property.type === "integer";
  const { minimum: min, maximum: max } = property;
  const input = el("input", { id: f.id, name, type: "number", inputmode: integer ? "numeric" : "decimal", step: integer ? "1" : "any" });
  input.setAttribute("aria-describedby", f.describedBy);
  if (min !== undefined) input.min = String(min);
  if (max !== undefined) input.max = String(max);
  input.placeholder = property.default !== undefined ? String(property.default) : "empty: the server chooses";
  const hasSlider = integer && min !== undefined && max !== undefined && max - min <= SLIDER_SPAN;
  const control = el("div", { class: hasSlider ? "range" : "number" });
  let slider = null;
  if (hasSlider) {
    slider = el("input", { type: "range", min: String(min), max: String(max), step: "1", "aria-label": `${property.title ?? name} slider`, tabindex: "-1" });
    slider.addEventListener("input", () => {
      input.value = slider.value;
      onChange();
    });
    control.append(el("span", { class: "limit" }, String(min)), slider, el("span", { class: "limit" }, String(max)), input);
  } else {
    control.append(input);
  }
  if (min !== undefined || max !== undefined) {
    const unit = /seconds/i.test(property.description ?? "") ? " s" : "";
    f.hint.append(" ", el("span", { class: "limits" }, `Range: ${min ?? "−∞"} – ${max ?? "∞"}${unit}.`));
  }
  input.addEventListener("input", () => {
    if (slider && input.value !== "") slider.value = input.value;
    onChange();
  });
  f.element.append(control, f.error, f.hint);
  const field = {
    element: f.element,
    get() {
      if (input.value.trim() === "") return undefined;
      const n = Number(input.value);
      return Number.isFinite(n) ? n : input.value;
    },
    set(v) {
      input.value = v === undefined || v === null ? String(property.default ?? "") : String(v);
      if (slider) slider.value = input.value === "" ? String(min) : input.value;
    },
    validate() {
      const raw = input.value.trim();
      if (raw === "") return required ? "is required" : input.validity.badInput ? `must be ${integer ? "an integer" : "a number"}` : null;
      const n = Number(raw);
      if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return `must be ${integer ? "an integer" : "a number"}`;
      if ((min !== undefined && n < min) || (max !== undefined && n > max)) return `must be between ${min} and ${max}`;
      return null;
    },
    setError: errorSetter(f.error, () => [input]),
    focus: () => input.focus(),
  };
  field.set(undefined);
  return field;
}

function booleanField(name, property, { onChange }) {
  const f = frame(name, property, false);
  const input = el("input", { id: f.id, name, type: "checkbox", "aria-describedby": f.describedBy });
  input.addEventListener("change", onChange);
  f.element.classList.add("checkbox");
  f.element.prepend(input);
  f.element.append(f.error, f.hint);
  const field = {
    element: f.element,
    get: () => input.checked,
    set: (v) => (input.checked = Boolean(v ?? property.default ?? false)),
    validate: () => null,
    setError: errorSetter(f.error, () => [input]),
    focus: () => input.focus(),
  };
  field.set(undefined);
  return field;
}

/**
 * One image URL (`input_image`) or a list of them (`reference_images`): drop files or choose them,
 * each is uploaded to the server's file routes at once and shown as a thumbnail; a URL can be
 * pasted instead. In a list, position i is "Image i+1" in the prompt.
 */
function imageField(name, property, required, { onChange, upload, thumbnail }) {
  const f = frame(name, property, required, { group: true });
  const many = property.type === "array";
  const limit = many ? (property.maxItems ?? 9) : 1;
  const noun = many ? "images" : "an image";
  /** @type {{url: string|null, src: string|null, label: string, size?: string, pending: Promise|null, problem: string|null}[]} */
  let items = [];

  const list = el("ul", { class: "thumbs", "aria-label": `${property.title ?? name}: chosen images` });
  const picker = el("input", { type: "file", accept: "image/png,image/jpeg", class: "visually-hidden", tabindex: "-1", "aria-hidden": "true" });
  if (many) picker.multiple = true;
  const choose = el("button", { type: "button", class: "secondary", id: f.id, "aria-describedby": f.describedBy }, many ? "Choose images…" : "Choose image…");
  const zone = el("div", { class: "dropzone" }, el("span", { class: "dropzone-text" }, `Drop ${noun} here (PNG or JPEG), or`), " ", choose, picker);
  const urlInput = el("input", { type: "url", id: `${f.id}-url`, placeholder: "https://… or a file route of this server", "aria-label": `${property.title ?? name}: image URL` });
  const addUrl = el("button", { type: "button", class: "secondary" }, "Add URL");
  const urlRow = el("div", { class: "row url-row" }, urlInput, addUrl);
  f.element.append(list, zone, urlRow, f.error, f.hint);

  const setError = errorSetter(f.error, () => [choose]);
  const changed = () => {
    draw();
    onChange();
  };

  function draw() {
    list.replaceChildren(
      ...items.map((item, i) => {
        const title = many ? `Image ${i + 1}` : "Input image";
        const img = item.src ? el("img", { src: item.src, alt: `${title}: ${item.label}` })
          : el("div", { class: "thumb-placeholder", "aria-hidden": "true" }, item.problem ? "✕" : "…");
        const status = item.pending ? (item.checked ? "uploading…" : "checking…") : (item.problem ?? item.size ?? item.label);
        const li = el(
          "li",
          { class: `thumb${item.pending ? " uploading" : ""}${item.problem ? " failed" : ""}`, title: item.url ?? item.label },
          img,
          el("span", { class: "thumb-title" }, title),
          el("span", { class: "thumb-status" }, status),
        );
        const remove = el("button", { type: "button", class: "thumb-remove", "aria-label": `Remove ${title}` }, "×");
        remove.addEventListener("click", () => {
          items.splice(items.indexOf(item), 1);
          changed();
          (list.querySelector(".thumb-remove") ?? choose).focus();
        });
        li.append(remove);
        return li;
      }),
    );
    const full = items.length >= limit;
    zone.classList.toggle("full", full && many);
    choose.textContent = many ? (full ? `${limit} images: remove one to add more` : "Choose images…") : items.length ? "Replace image…" : "Choose image…";
    choose.disabled = full && many;
    addUrl.disabled = full && many;
  }

  function add(item) {
    if (!many) items = [];
    if (items.length >= limit) return false;
    items.push(item);
    return true;
  }

  function addFiles(files) {
    setError(null);
    for (const file of files) {
      const item = { url: null, src: URL.createObjectURL(file), label: file.name, pending: null, problem: null, checked: false };
      if (!add(item)) {
        setError(`At most ${limit} images.`);
        break;
      }
      // Judged by its bytes, as the server judges it; a file it would refuse is never uploaded.
      item.pending = checkImageFile(file, item.src)
        .then(async ({ problem, image, size }) => {
          item.checked = true;
          item.size = size;
          if (!image) item.src = null; // no broken-image tile: the problem says what it is
          if (problem) {
            item.problem = problem;
            return;
          }
          draw();
          item.url = await upload(file);
        })
        .catch((error) => (item.problem = `upload failed: ${error.message}`))
        .finally(() => {
          item.pending = null;
          changed();
        });
    }
    changed();
  }

  function addUrlItem(url) {
    const item = { url, src: null, label: url.split("/").pop() || url, pending: null, problem: null };
    if (!add(item)) return;
    thumbnail(url)
      .then((src) => (item.src = src))
      .catch(() => (item.size = "no preview"))
      .finally(draw);
  }

  choose.addEventListener("click", () => picker.click());
  picker.addEventListener("change", () => {
    addFiles(picker.files);
    picker.value = "";
  });
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    if (event.dataTransfer?.files?.length) addFiles(event.dataTransfer.files);
  });
  const takeUrl = () => {
    const url = urlInput.value.trim();
    if (!url) return;
    if (!/^(https?:\/\/|data:)/i.test(url)) {
      setError("must be an http(s) URL or a data: URL of a JPEG or PNG image");
      return;
    }
    setError(null);
    addUrlItem(url);
    urlInput.value = "";
    changed();
  };
  addUrl.addEventListener("click", takeUrl);
  urlInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      takeUrl();
    }
  });

  const field = {
    element: f.element,
    get() {
      const urls = items.map((i) => i.url).filter(Boolean);
      if (many) return urls.length ? urls : undefined;
      return urls[0];
    },
    set(value) {
      items = [];
      const urls = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
      for (const url of urls) addUrlItem(String(url));
      draw();
    },
    validate() {
      if (items.some((i) => i.pending)) return "still uploading";
      // Every image the server would refuse, so all of them can be fixed at once.
      const failed = items.flatMap((item, i) => (item.problem ? [`${field.describeIndex(i)}: ${item.problem}`] : []));
      if (failed.length) return failed.join("\n");
      if (required && items.length === 0) return "is required";
      if (items.length > limit) return `at most ${limit} items are allowed`;
      return null;
    },
    settled: () => Promise.all(items.map((i) => i.pending)),
    describeIndex: (i) => (many ? `Image ${i + 1}` : "Input image"),
    setError,
    focus: () => choose.focus(),
  };
  draw();
  return field;
}
