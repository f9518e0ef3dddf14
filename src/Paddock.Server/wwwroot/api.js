// Talking to the Paddock API: the key, JSON requests, the error envelope, uploads and the event stream.

const KEY_STORAGE = "paddock.apiKey";

/** An answer in the error envelope of docs/API.md: `detail` lists every problem as "field: message; ...". */
export class ApiError extends Error {
  constructor(status, body) {
    const detail = body?.error?.detail ?? body?.error?.message ?? `HTTP ${status}`;
    super(detail);
    this.status = status;
    this.type = body?.error?.type ?? "unknown_error";
    this.detail = detail;
  }
}

export const storedKey = () => localStorage.getItem(KEY_STORAGE) ?? "";
export const storeKey = (key) => (key ? localStorage.setItem(KEY_STORAGE, key) : localStorage.removeItem(KEY_STORAGE));

const authHeaders = (extra = {}) => ({ Authorization: `Bearer ${storedKey()}`, ...extra });

async function request(method, path, { json, body, headers, key } = {}) {
  const init = { method, headers: { ...authHeaders(headers) } };
  if (key !== undefined) init.headers.Authorization = `Bearer ${key}`;
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) throw new ApiError(response.status, parsed ?? { error: { detail: text || response.statusText } });
  return parsed;
}

export const api = {
  whoami: (key) => request("GET", "/api/whoami", { key }),
  models: () => request("GET", "/api/ai/models"),
  enqueue: (body) => request("POST", "/api/ai/queue", { json: body }),
  generation: (id) => request("GET", `/api/ai/queue/${encodeURIComponent(id)}`),
  cancel: (id) => request("DELETE", `/api/ai/queue/${encodeURIComponent(id)}`),
  generations: (page, pageSize) => request("GET", `/api/ai/generations?page=${page}&page_size=${pageSize}`),
  /** What the namespace consumed, by UTC day and model (the server's default range: the last 30 days). */
  usage: () => request("GET", "/api/usage"),
  /** Multipart upload to the file routes; answers the file's URL (usable as a reference by this server). */
  async upload(namespace, path, file) {
    const form = new FormData();
    form.append("file", file, file.name);
    const url = `/api/repos/${encodeURIComponent(namespace)}/workbench/file/main/${path.split("/").map(encodeURIComponent).join("/")}`;
    const answer = await request("PUT", url, { body: form });
    return answer.files[0];
  },
  /** A hosted file read with the key, as an object URL (for thumbnails of private files). */
  async blobUrl(url) {
    const response = await fetch(url, { headers: authHeaders() });
    if (!response.ok) throw new ApiError(response.status, null);
    return URL.createObjectURL(await response.blob());
  },
};

/**
 * Splits an error `detail` into problems by field. A problem starts with `field:` or `field[i]:`;
 * a part without that prefix continues the previous message (messages may themselves contain "; ").
 */
export function parseProblems(detail) {
  const problems = [];
  for (const part of String(detail ?? "").split("; ")) {
    const match = /^([A-Za-z_][\w.-]*)((?:\[\d+\])*): ([\s\S]*)$/.exec(part);
    if (match) {
      const index = match[2] ? Number(/\[(\d+)\]/.exec(match[2])[1]) : null;
      problems.push({ field: match[1], index, message: match[3] });
    } else if (problems.length > 0) {
      problems[problems.length - 1].message += `; ${part}`;
    } else {
      problems.push({ field: null, index: null, message: part });
    }
  }
  return problems;
}

/**
 * The namespace's event stream, read with fetch() because EventSource cannot send the Authorization
 * header. Reconnects with Last-Event-ID, so nothing is missed across a dropped connection.
 */
export class EventStream {
  constructor(onEvent, onState) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.connected = false;
    this.lastEventId = null;
    this.retryMs = 3000;
    this.controller = null;
    this.told = false;
  }

  start() {
    this.stop();
    const controller = new AbortController();
    this.controller = controller;
    this.#loop(controller.signal);
  }

  stop() {
    this.controller?.abort();
    this.controller = null;
    this.#setConnected(false);
  }

  #setConnected(value) {
    if (this.connected === value && this.told) return;
    this.connected = value;
    this.told = true; // the first answer is always told, even "not connected"
    this.onState?.(value);
  }

  async #loop(signal) {
    while (!signal.aborted) {
      try {
        const headers = authHeaders({ Accept: "text/event-stream" });
        if (this.lastEventId) headers["Last-Event-ID"] = this.lastEventId;
        const response = await fetch("/api/events", { headers, signal, cache: "no-store" });
        if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
        this.#setConnected(true);
        await this.#read(response.body, signal);
      } catch {
        // Dropped or refused: fall through to the retry below; callers poll meanwhile.
      }
      this.#setConnected(false);
      if (signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    }
  }

  async #read(body, signal) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    signal.addEventListener("abort", () => reader.cancel().catch(() => {}), { once: true });
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        this.#dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  #dispatch(block) {
    let type = "message";
    let id = null;
    const data = [];
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const name = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (name === "event") type = value;
      else if (name === "data") data.push(value);
      else if (name === "id") id = value;
      else if (name === "retry" && /^\d+$/.test(value)) this.retryMs = Number(value);
    }
    if (id !== null) this.lastEventId = id;
    if (data.length === 0) return;
    let payload;
    try {
      payload = JSON.parse(data.join("\n"));
    } catch {
      return;
    }
    this.onEvent(type, payload);
  }
}
