// The one DOM helper: el("button", { class: "primary", type: "button" }, "Run").
// Attributes are set as attributes (true sets an empty one, false/null/undefined skips it);
// children are nodes or text, never HTML, so nothing from the server is ever parsed as markup.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/**
 * Arrow keys, Home and End move between tabs (the ARIA tabs pattern); only the selected tab is in
 * the Tab order. `onSelect(tab)` runs after a tab is chosen.
 */
export function tabs(list, onSelect) {
  const all = () => $$('[role="tab"]', list);
  const select = (tab, focus) => {
    for (const t of all()) {
      const selected = t === tab;
      t.setAttribute("aria-selected", String(selected));
      t.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(t.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    }
    if (focus) tab.focus();
    onSelect?.(tab);
  };
  list.addEventListener("click", (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab && list.contains(tab)) select(tab, false);
  });
  list.addEventListener("keydown", (event) => {
    const items = all();
    const index = items.indexOf(document.activeElement);
    if (index < 0) return;
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: items.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(items[(next + items.length) % items.length], true);
  });
  return { select: (tab) => select(tab, false) };
}

/** Copies text; falls back to a selected textarea where the Clipboard API is unavailable (plain http on a LAN). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = el("textarea", { class: "visually-hidden", readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}
