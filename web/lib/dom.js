/** A tiny element builder: the pages build DOM nodes, never HTML strings, so names cannot inject markup. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== undefined && child !== null && child !== false) el.append(child);
  return el;
}

/** Text only a screen reader reads, e.g. the file name after a repeated "Play" button label. */
export const srOnly = (text) => h('span', { class: 'visually-hidden', text });

/** Sets text only when it changed, so live regions and selection are not disturbed every second. */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
