// Hearth sandbox web client: plain JS, no build step, no network beyond this page's own server.
"use strict";

const API = "/sandbox/api";
const $ = (sel) => document.querySelector(sel);
const state = {
  personas: [], persona: null, channel: null, channels: [], names: { users: {}, roles: {}, channels: {}, members: [] },
  clock: null, commands: [], messageCommands: [], lastView: "", command: null, listIndex: 0,
};

// ------------------------------------------------------------------ helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(API + path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `${response.status} ${response.statusText}`);
  return data;
}

function notice(text) {
  const box = $("#notice");
  box.textContent = text;
  box.hidden = !text;
  clearTimeout(notice.timer);
  if (text) notice.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function zone() { return (state.clock && state.clock.zone) || "UTC"; }

function formatTime(date, style) {
  const opts = { timeZone: zone() };
  const styles = {
    t: { hour: "2-digit", minute: "2-digit" },
    T: { hour: "2-digit", minute: "2-digit", second: "2-digit" },
    d: { year: "numeric", month: "2-digit", day: "2-digit" },
    D: { year: "numeric", month: "long", day: "numeric" },
    f: { year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit" },
    F: { weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit" },
  };
  return date.toLocaleString("en-US", { ...opts, ...(styles[style] || styles.f) });
}

function relative(date) {
  const now = state.clock ? new Date(state.clock.utc) : new Date();
  const seconds = Math.round((date - now) / 1000);
  const units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60]];
  const fmt = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return fmt.format(Math.round(seconds / size), unit);
  }
  return fmt.format(seconds, "second");
}

// Discord's markdown, the parts Hearth uses: mentions, timestamps, bold/italic/underline/strike,
// inline and block code, quotes, headings, subtext, masked links.
function markdown(text) {
  let html = escapeHtml(text || "");
  const blocks = [];
  html = html.replace(/```(?:\w*\n)?([\s\S]*?)```/g, (_, code) => { blocks.push(`<pre>${code}</pre>`); return `\u0000${blocks.length - 1}\u0000`; });
  html = html.replace(/`([^`\n]+)`/g, (_, code) => { blocks.push(`<code>${code}</code>`); return `\u0000${blocks.length - 1}\u0000`; });
  html = html.replace(/&lt;@!?(\d+)&gt;/g, (_, id) => `<span class="mention">@${escapeHtml(state.names.users[id] || "unknown")}</span>`);
  html = html.replace(/&lt;@&amp;(\d+)&gt;/g, (_, id) => `<span class="mention">@${escapeHtml(state.names.roles[id] || "role")}</span>`);
  html = html.replace(/&lt;#(\d+)&gt;/g, (_, id) => `<span class="mention">#${escapeHtml(state.names.channels[id] || "channel")}</span>`);
  html = html.replace(/&lt;\/([\w -]+):\d+&gt;/g, (_, name) => `<span class="mention">/${name}</span>`);
  html = html.replace(/&lt;t:(-?\d+)(?::([tTdDfFR]))?&gt;/g, (_, secs, style) => {
    const date = new Date(Number(secs) * 1000);
    return `<span class="mention" title="${escapeHtml(formatTime(date, "F"))}">${escapeHtml(style === "R" ? relative(date) : formatTime(date, style || "f"))}</span>`;
  });
  // Jump links to this server's channels open the channel here instead of discord.com.
  html = html.replace(/\[([^\]]+)\]\(https:\/\/discord\.com\/channels\/\d+\/(\d+)(?:\/\d+)?\)/g, '<a href="#" data-jump="$2">$1</a>');
  html = html.replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>');
  html = html.replace(/\*\*([\s\S]+?)\*\*/g, "<strong>$1</strong>");
  html = html.replace(/__([\s\S]+?)__/g, "<u>$1</u>");
  html = html.replace(/~~([\s\S]+?)~~/g, "<s>$1</s>");
  html = html.replace(/(^|[^*\w])\*([^*\n]+)\*/g, "$1<em>$2</em>");
  html = html.replace(/(^|\W)_([^_\n]+)_(?=\W|$)/g, "$1<em>$2</em>");
  html = html.split("\n").map((line) => {
    if (line.startsWith("-# ")) return `<span class="subtext">${line.slice(3)}</span>`;
    if (/^#{1,3} /.test(line)) return `<strong>${line.replace(/^#{1,3} /, "")}</strong>`;
    if (line.startsWith("&gt; ")) return `<blockquote>${line.slice(5)}</blockquote>`;
    return line;
  }).join("\n").replace(/<\/blockquote>\n/g, "</blockquote>");
  return html.replace(/\u0000(\d+)\u0000/g, (_, i) => blocks[Number(i)]);
}

// ------------------------------------------------------------------ personas, channels, clock

async function loadPersonas() {
  state.personas = await api("GET", "/personas");
  const select = $("#persona-switcher");
  select.replaceChildren(...state.personas.map((p) => el("option", { value: p.id, text: p.name })));
  const saved = localStorage.getItem("hearth-sandbox-persona");
  state.persona = state.personas.some((p) => p.id === saved) ? saved : state.personas[0].id;
  select.value = state.persona;
  updatePersonaLabel();
}

function updatePersonaLabel() {
  const p = state.personas.find((x) => x.id === state.persona);
  $("#persona-label").textContent = p ? `viewing as ${p.name} — ${p.role}` : "";
}

function switchPersona(id, channelName) {
  state.persona = id;
  $("#persona-switcher").value = id;
  localStorage.setItem("hearth-sandbox-persona", id);
  updatePersonaLabel();
  state.lastView = "";
  state.pendingChannel = channelName || null;
  return refresh();
}

function renderChannels() {
  const nav = $("#channels");
  const groups = new Map();
  for (const c of state.channels) {
    const key = c.category || "";
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(c);
  }
  const parts = [];
  for (const [category, channels] of groups) {
    if (category) parts.push(el("h3", { text: category }));
    for (const c of channels) {
      const label = c.kind === "dm" ? `@ ${c.name}` : (c.kind === "thread" ? `↳ ${c.name}` : `# ${c.name}`);
      parts.push(el("button", {
        type: "button", "data-testid": "channel", "data-name": c.name, "data-kind": c.kind,
        class: [c.kind === "thread" ? "thread" : "", c.id === state.channel ? "active" : ""].join(" ").trim(),
        title: c.topic || c.name, onclick: () => selectChannel(c.id),
      }, label, c.private && c.kind !== "dm" ? el("span", { class: "lock", title: "only some people see this channel", text: "private" }) : null));
    }
  }
  nav.replaceChildren(...parts);
}

function selectChannel(id) {
  state.channel = id;
  localStorage.setItem("hearth-sandbox-channel", id);
  state.lastView = "";
  refresh();
}

function renderClock() {
  if (!state.clock) return;
  $("#clock-now").textContent = `${state.clock.local} (${state.clock.zone})`;
  $("#clock-now").dataset.utc = state.clock.utc;
}

async function advanceClock(step, button) {
  button.disabled = true;
  try {
    state.clock = await api("POST", "/clock", { step });
    renderClock();
    renderTour();
    await refresh();
  } catch (err) {
    notice(err.message);
  } finally {
    button.disabled = false;
  }
}

// ------------------------------------------------------------------ messages

function renderMessages(messages) {
  const box = $("#messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  if (!messages.length) {
    box.replaceChildren(el("div", { class: "empty", text: "No messages yet. Say something, or type / for commands." }));
    return;
  }
  box.replaceChildren(...messages.map(renderMessage));
  if (atBottom || state.scrollToEnd) box.scrollTop = box.scrollHeight;
  state.scrollToEnd = false;
}

function renderMessage(m) {
  const when = m.timestamp ? new Date(m.timestamp) : null;
  const node = el("article", {
    class: `message${m.ephemeral ? " ephemeral" : ""}`, "data-testid": "message", "data-author": m.author.name,
    "data-id": m.id, "data-ephemeral": m.ephemeral ? "true" : "false",
  });
  const meta = el("div", { class: "meta" },
    el("span", { class: `author${m.author.bot ? " bot" : ""}`, text: m.author.name }),
    when ? el("span", { class: "time", title: formatTime(when, "F"), text: formatTime(when, "f") }) : null,
    m.command ? el("span", { class: "via", text: `used /${m.command.name}` }) : null,
    m.edited ? el("span", { class: "time", text: "(edited)" }) : null,
  );
  node.append(meta);
  if (m.loading) node.append(el("div", { class: "content muted", text: "Hearth is thinking…" }));
  if (m.content) node.append(el("div", { class: "content", html: markdown(m.content) }));
  for (const embed of m.embeds) node.append(renderEmbed(embed, m));
  for (const att of m.attachments) {
    if (m.embeds.some((e) => e.image && e.image.url === `attachment://${att.filename}`)) continue;
    node.append(renderAttachment(att));
  }
  if (m.components.length) node.append(renderComponents(m));
  if (m.reactions.length) {
    node.append(el("div", { class: "reactions" }, m.reactions.map((r) => el("button", {
      type: "button", class: r.me ? "me" : "", title: r.me ? "you reacted" : "react",
      onclick: () => react(m, r.emoji),
    }, `${r.emoji} ${r.count}`))));
  }
  if (m.ephemeral) node.append(el("div", { class: "only-you", text: "Only you can see this" }));
  node.append(messageActions(m));
  return node;
}

function isImage(att) {
  return /^image\//.test(att.content_type || "") || /\.(png|jpe?g|gif|webp)$/i.test(att.filename || "");
}

function localUrl(url) {
  // Attachment URLs point at this same server; keep them relative so the page works on any host name.
  try { const u = new URL(url); return u.pathname; } catch (_) { return url; }
}

function renderAttachment(att) {
  if (isImage(att)) {
    return el("div", { class: "attachment" }, el("img", { src: localUrl(att.url), alt: att.description || att.filename }));
  }
  return el("div", { class: "attachment" }, el("a", { href: localUrl(att.url), download: att.filename, text: `📎 ${att.filename}` }));
}

function renderEmbed(embed, message) {
  const color = embed.color ? `#${embed.color.toString(16).padStart(6, "0")}` : null;
  const node = el("div", { class: "embed", style: color ? `border-left-color:${color}` : null });
  if (embed.author && embed.author.name) node.append(el("div", { class: "subtext", text: embed.author.name }));
  if (embed.title) node.append(el("div", { class: "title", html: markdown(embed.title) }));
  if (embed.description) node.append(el("div", { class: "content", html: markdown(embed.description) }));
  if (embed.fields && embed.fields.length) {
    node.append(el("div", { class: "fields" }, embed.fields.map((f) => el("div", { class: `field${f.inline ? " inline" : ""}` },
      el("div", { class: "name", html: markdown(f.name) }), el("div", { class: "content", html: markdown(f.value) })))));
  }
  if (embed.image && embed.image.url) {
    let url = embed.image.url;
    if (url.startsWith("attachment://")) {
      const att = message.attachments.find((a) => a.filename === url.slice(13));
      url = att ? att.url : "";
    }
    if (url) node.append(el("img", { src: localUrl(url), alt: embed.title || "image" }));
  }
  if (embed.footer && embed.footer.text) node.append(el("div", { class: "footer", text: embed.footer.text }));
  return node;
}

function renderComponents(m) {
  const box = el("div", { class: "components" });
  for (const row of m.components) {
    const children = row.type === 1 ? row.components : [row];
    const line = el("div", { class: "row" });
    for (const c of children) {
      if (c.type === 2) line.append(renderButton(m, c));
      else if (c.type === 3) line.append(renderSelect(m, c));
      else if (c.type === 10 && c.content) line.append(el("div", { class: "content", html: markdown(c.content) }));
    }
    box.append(line);
  }
  return box;
}

function renderButton(m, c) {
  const label = `${c.emoji && c.emoji.name ? c.emoji.name + " " : ""}${c.label || ""}`.trim();
  if (c.style === 5 && c.url) {
    return el("a", { href: c.url, target: "_blank", rel: "noopener", "data-testid": "component-button", text: `${label} ↗` });
  }
  return el("button", {
    type: "button", class: `style-${c.style || 1}`, "data-testid": "component-button", disabled: !!c.disabled,
    onclick: (ev) => interact(ev.target, "/click", { message: m.id, custom_id: c.custom_id }),
  }, label);
}

function renderSelect(m, c) {
  const select = el("select", { "data-testid": "component-select", disabled: !!c.disabled, "aria-label": c.placeholder || "choose" },
    el("option", { value: "", text: c.placeholder || "Choose…" }),
    (c.options || []).map((o) => el("option", { value: o.value, text: o.label })));
  select.addEventListener("change", () => {
    if (select.value) interact(select, "/select", { message: m.id, custom_id: c.custom_id, values: [select.value] });
  });
  return select;
}

function messageActions(m) {
  const box = el("div", { class: "actions" });
  for (const emoji of ["👍", "💛", "🎉"]) {
    box.append(el("button", { type: "button", title: `react ${emoji}`, onclick: () => react(m, emoji) }, emoji));
  }
  const channel = state.channels.find((c) => c.id === state.channel);
  if (channel && channel.kind !== "dm" && !m.ephemeral && !m.author.bot) {
    for (const name of state.messageCommands) {
      box.append(el("button", {
        type: "button", title: `Apps › ${name}`, "data-testid": "message-command",
        onclick: (ev) => interact(ev.target, "/message-command", { message: m.id, name }),
      }, name));
    }
  }
  return box;
}

async function react(m, emoji) {
  try {
    await api("POST", "/react", { persona: state.persona, message: m.id, emoji });
    await refresh();
  } catch (err) { notice(err.message); }
}

// An interaction (button, select, command, modal submit): the answer may be a modal to show.
async function interact(control, path, body) {
  if (control) control.disabled = true;
  try {
    const outcome = await api("POST", path, { persona: state.persona, channel: state.channel, ...body });
    if (outcome.modal) openModal(outcome.modal);
    else if (!outcome.answered) notice("Hearth has not answered yet; its reply will appear when it does.");
    state.scrollToEnd = true;
    await refresh();
    return outcome;
  } catch (err) {
    notice(err.message);
    return null;
  } finally {
    if (control) control.disabled = false;
  }
}

// ------------------------------------------------------------------ modals

function modalInputs(components) {
  const out = [];
  for (const c of components) {
    if (c.type === 1) out.push(...modalInputs(c.components || []));
    else if (c.type === 18 && c.component) out.push({ ...c.component, label: c.label, description: c.description });
    else if (c.type === 4 || c.type === 3) out.push(c);
  }
  return out;
}

function openModal(modal) {
  $("#modal-title").textContent = modal.title;
  const fields = modalInputs(modal.components || []).map((c) => {
    let input;
    if (c.type === 3) {
      input = el("select", { name: c.custom_id, "data-testid": "modal-field", "data-label": c.label || c.custom_id, required: c.required !== false },
        el("option", { value: "", text: c.placeholder || "Choose…" }),
        (c.options || []).map((o) => el("option", { value: o.value, text: o.label, selected: !!o.default })));
    } else {
      input = el(c.style === 2 ? "textarea" : "input", {
        name: c.custom_id, "data-testid": "modal-field", "data-label": c.label, placeholder: c.placeholder || "",
        required: c.required !== false, maxlength: c.max_length || null, minlength: c.min_length || null,
        rows: c.style === 2 ? 4 : null,
      });
      if (c.value) input.value = c.value;
    }
    return el("label", {}, el("span", { text: c.label || c.custom_id }),
      c.description ? el("span", { class: "hint", text: c.description }) : null, input);
  });
  $("#modal-fields").replaceChildren(...fields);
  $("#modal-form").dataset.customId = modal.custom_id;
  $("#modal").hidden = false;
  const first = $("#modal-fields [data-testid=modal-field]");
  if (first) first.focus();
}

async function submitModal(ev) {
  ev.preventDefault();
  const form = $("#modal-form");
  const values = {};
  for (const field of form.querySelectorAll("[data-testid=modal-field]")) {
    values[field.name] = field.tagName === "SELECT" ? (field.value ? [field.value] : []) : field.value;
  }
  $("#modal").hidden = true;
  await interact(form.querySelector("[data-testid=modal-submit]"), "/modal", { custom_id: form.dataset.customId, values });
}

// ------------------------------------------------------------------ composer and slash commands

function matchingCommands(text) {
  const query = text.slice(1).trim().toLowerCase();
  return state.commands.filter((c) => c.name.startsWith(query) || c.name.includes(query)).slice(0, 40);
}

function showCommandList() {
  const text = $("#composer").value;
  const list = $("#command-list");
  if (!text.startsWith("/") || state.command) { list.hidden = true; return; }
  const found = matchingCommands(text);
  state.listIndex = Math.min(state.listIndex, Math.max(found.length - 1, 0));
  list.replaceChildren(...found.map((c, i) => el("li", {
    role: "option", "aria-selected": i === state.listIndex ? "true" : "false", "data-testid": "command-option",
    "data-name": c.name, onmousedown: (ev) => { ev.preventDefault(); chooseCommand(c); },
  }, `/${c.name}`, el("span", { class: "desc", text: c.description }))));
  list.hidden = found.length === 0;
}

function chooseCommand(cmd) {
  state.command = cmd;
  $("#command-list").hidden = true;
  $("#composer").value = `/${cmd.name}`;
  const form = $("#command-form");
  const fields = cmd.options.map((o) => optionField(cmd, o));
  form.replaceChildren(
    el("div", { class: "cmd-name" }, `/${cmd.name}`, el("span", { class: "desc muted", text: `  ${cmd.description}` })),
    ...fields,
    el("button", { type: "button", class: "ghost", onclick: clearCommand, text: "Cancel" }),
  );
  form.hidden = false;
  const first = form.querySelector("input, select");
  if (first) first.focus(); else $("#composer").focus();
}

function optionField(cmd, o) {
  let input;
  const common = { name: o.name, "data-testid": "command-option-field", "data-label": o.name, title: o.description };
  if (o.choices.length) {
    input = el("select", common, el("option", { value: "", text: o.required ? "Choose…" : "(none)" }),
      o.choices.map((c) => el("option", { value: String(c.value), text: c.name })));
  } else if (o.type === "boolean") {
    input = el("select", common, el("option", { value: "", text: "(default)" }),
      el("option", { value: "true", text: "yes" }), el("option", { value: "false", text: "no" }));
  } else if (o.type === "user") {
    input = el("select", common, el("option", { value: "", text: o.required ? "Choose a person…" : "(none)" }),
      state.names.members.map((m) => el("option", { value: m.id, text: m.name })));
  } else if (o.type === "channel") {
    input = el("select", common, el("option", { value: "", text: "(none)" }),
      state.channels.filter((c) => c.kind !== "dm").map((c) => el("option", { value: c.id, text: `#${c.name}` })));
  } else {
    input = el("input", { ...common, type: o.type === "integer" || o.type === "number" ? "number" : "text",
      step: o.type === "number" ? "any" : null, placeholder: o.description.slice(0, 60) });
    if (o.autocomplete) {
      const listId = `ac-${o.name}`;
      input.setAttribute("list", listId);
      const datalist = el("datalist", { id: listId });
      input.addEventListener("input", () => autocomplete(cmd, o, input, datalist));
      input.addEventListener("focus", () => autocomplete(cmd, o, input, datalist));
      return el("label", { class: o.required ? "required" : "" }, el("span", { text: o.name }), input, datalist);
    }
  }
  return el("label", { class: o.required ? "required" : "" }, el("span", { text: o.name }), input);
}

async function autocomplete(cmd, option, input, datalist) {
  try {
    const choices = await api("POST", "/autocomplete", {
      persona: state.persona, channel: state.channel, command: cmd.name, focused: option.name, value: input.value,
      options: commandValues(),
    });
    datalist.replaceChildren(...choices.map((c) => el("option", { value: String(c.value), text: c.name })));
  } catch (_) { /* suggestions are a convenience */ }
}

function commandValues() {
  const values = {};
  for (const field of $("#command-form").querySelectorAll("[data-testid=command-option-field]")) {
    if (field.value !== "") values[field.name] = field.value;
  }
  return values;
}

function clearCommand() {
  state.command = null;
  $("#command-form").hidden = true;
  $("#command-form").replaceChildren();
  $("#composer").value = "";
  $("#command-list").hidden = true;
}

async function send(ev) {
  ev.preventDefault();
  const composer = $("#composer");
  const text = composer.value.trim();
  if (!state.channel) return;
  if (!state.command && text.startsWith("/")) {
    const exact = state.commands.find((c) => `/${c.name}` === text.replace(/\s+/g, " "));
    if (exact && exact.options.every((o) => !o.required)) state.command = exact;
    else if (exact) { chooseCommand(exact); return; }
    else { const found = matchingCommands(text); if (found.length) { chooseCommand(found[state.listIndex] || found[0]); return; } }
  }
  if (state.command) {
    const cmd = state.command;
    const options = commandValues();
    const missing = cmd.options.filter((o) => o.required && !(o.name in options)).map((o) => o.name);
    if (missing.length) { notice(`Fill in: ${missing.join(", ")}`); return; }
    const outcome = await interact($("#send"), "/commands", { command: cmd.name, options });
    if (outcome) clearCommand();
    return;
  }
  if (!text) return;
  $("#send").disabled = true;
  try {
    await api("POST", "/messages", { persona: state.persona, channel: state.channel, content: text });
    composer.value = "";
    state.scrollToEnd = true;
    await refresh();
  } catch (err) {
    notice(err.message);
  } finally {
    $("#send").disabled = false;
  }
}

function composerKeys(ev) {
  const list = $("#command-list");
  if (!list.hidden) {
    const items = list.querySelectorAll("li");
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      state.listIndex = (state.listIndex + (ev.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      showCommandList();
      return;
    }
    if (ev.key === "Tab" || (ev.key === "Enter" && !ev.shiftKey)) {
      ev.preventDefault();
      const found = matchingCommands($("#composer").value);
      if (found[state.listIndex]) chooseCommand(found[state.listIndex]);
      return;
    }
    if (ev.key === "Escape") { list.hidden = true; return; }
  }
  if (ev.key === "Escape" && state.command) { clearCommand(); return; }
  if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("#composer-form").requestSubmit(); }
}

function composerInput() {
  const text = $("#composer").value;
  if (state.command && !text.startsWith(`/${state.command.name}`)) {
    state.command = null;
    $("#command-form").hidden = true;
  }
  state.listIndex = 0;
  showCommandList();
}

// ------------------------------------------------------------------ live view

async function refresh() {
  if (!state.persona) return;
  const query = `?persona=${encodeURIComponent(state.persona)}${state.channel ? `&channel=${state.channel}` : ""}`;
  let view;
  try { view = await api("GET", "/view" + query); } catch (err) { notice(err.message); return; }
  state.clock = view.clock;
  renderClock();
  // The clock changes every poll; redraw only when something else did (a redraw closes open selects).
  const text = JSON.stringify([view.channels, view.names, view.messages]);
  if (text === state.lastView) return;
  state.lastView = text;
  state.names = view.names;
  state.channels = view.channels;
  if (state.pendingChannel) {
    const wanted = state.channels.find((c) => c.name === state.pendingChannel);
    state.pendingChannel = null;
    if (wanted && wanted.id !== state.channel) { state.channel = wanted.id; state.lastView = ""; return refresh(); }
  }
  if (!state.channels.some((c) => c.id === state.channel)) {
    const saved = localStorage.getItem("hearth-sandbox-channel");
    const fallback = state.channels.find((c) => c.id === saved) || state.channels[0];
    state.channel = fallback ? fallback.id : null;
    state.lastView = "";
    if (state.channel) return refresh();
  }
  renderChannels();
  const channel = state.channels.find((c) => c.id === state.channel);
  $("#channel-title").textContent = channel ? (channel.kind === "dm" ? `@ ${channel.name}` : `# ${channel.name}`) : "";
  $("#channel-topic").textContent = channel && channel.topic ? channel.topic : "";
  $("#composer").placeholder = channel ? `Message ${channel.kind === "dm" ? "@" : "#"}${channel.name}, or type / for commands` : "";
  renderMessages(view.messages || []);
}

async function loadCommands() {
  const data = await api("GET", "/commands");
  state.commands = data.commands;
  state.messageCommands = data.message_commands;
}

// ------------------------------------------------------------------ guided tour

function daysAgo(n) {
  const now = state.clock ? new Date(state.clock.utc) : new Date();
  const local = new Date(now.toLocaleString("en-US", { timeZone: zone() }));
  local.setDate(local.getDate() - n);
  const pad = (x) => String(x).padStart(2, "0");
  return `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}`;
}

const TOUR = [
  { title: "Check in", persona: "Alice", channel: "check-ins", prefill: "/checkin",
    text: "As Alice, type /checkin and send: fill in the form. The reply is private, marked “only you can see this”. Posting a line like “mood 7, slept 8h” in #check-ins works too." },
  { title: "Set a reminder, move the clock", persona: "Alice", channel: "Hearth", prefill: "/reminders set",
    text: "Run /reminders set with time 09:00, then press “to 09:00 tomorrow”. A reminder arrives in Alice's DM with Hearth (only on days she hasn't checked in)." },
  { title: "Start a counter, see a celebration", persona: "Ben", channel: "celebrations", prefill: "/milestone set",
    text: () => `As Ben, run /settings with milestone_visibility “community”, then /milestone set with date ${daysAgo(6)} (six days ago). Press “to 09:00 tomorrow”: day 7 is celebrated in #celebrations.` },
  { title: "A worrying message", persona: "Chloe", channel: "check-ins",
    prefill: "I can't do this anymore. I want to end it all tonight.",
    text: "As Chloe, send this message in #check-ins (Hearth screens check-ins, group channels and DMs). Chloe gets warm, private support with crisis resources in her DM with Hearth; nothing is said in the channel. Nothing here reaches real people." },
  { title: "The staff alert", persona: "Sam", channel: "staff-alerts",
    text: "Switch to Sam (staff, on call): #staff-alerts holds the alert, and Sam's DM with Hearth has the on-call page. Participants cannot see #staff-alerts at all." },
  { title: "Acknowledge as on-call staff", persona: "Sam", channel: "staff-alerts",
    text: "Click Acknowledge on the alert. The alert updates for every staff member; Resolve or False alarm close it." },
  { title: "Group pulse as facilitator", persona: "Fran", channel: "tuesday-evening-group", prefill: "/group pulse",
    text: "As Fran, run /group pulse for “Tuesday evening group”: today's check-ins, mood trend, and who's been quiet. Only group members, its facilitators and staff see this channel: switch to Chloe to check." },
  { title: "Look around", persona: "Priya", channel: "general",
    text: "Try /help, the “I'm worried about this person” message action (hover a message), the Share buttons on a check-in reply, or /incident list as staff." },
];

function renderTour() {
  const steps = TOUR.map((step, i) => el("li", { "data-testid": "tour-step" },
    el("div", { class: "step-title", text: step.title }),
    el("p", { text: typeof step.text === "function" ? step.text() : step.text }),
    el("button", { type: "button", class: "ghost", onclick: () => goToStep(i) }, `Go: ${step.persona} in ${step.channel === "Hearth" ? "DM" : "#" + step.channel}`)));
  $("#tour-steps").replaceChildren(...steps);
}

async function goToStep(i) {
  const step = TOUR[i];
  const persona = state.personas.find((p) => p.name === step.persona);
  if (!persona) return;
  clearCommand();
  // Wait for the switch: the command form's suggestions are asked for as this persona, in this channel.
  await switchPersona(persona.id, step.channel);
  if (step.prefill) {
    $("#composer").value = step.prefill;
    if (step.prefill.startsWith("/")) {
      const cmd = state.commands.find((c) => `/${c.name}` === step.prefill);
      if (cmd && cmd.options.length) chooseCommand(cmd);
    }
  }
  $("#composer").focus();
}

// ------------------------------------------------------------------ start

async function main() {
  $("#persona-switcher").addEventListener("change", (ev) => switchPersona(ev.target.value));
  for (const button of document.querySelectorAll("[data-testid=clock-advance]")) {
    button.addEventListener("click", () => advanceClock(button.dataset.step, button));
  }
  $("#composer-form").addEventListener("submit", send);
  $("#composer").addEventListener("keydown", composerKeys);
  $("#composer").addEventListener("input", composerInput);
  $("#modal-form").addEventListener("submit", submitModal);
  $("#modal-cancel").addEventListener("click", () => { $("#modal").hidden = true; });
  $("#messages").addEventListener("click", (ev) => {
    const link = ev.target.closest("a[data-jump]");
    if (!link) return;
    ev.preventDefault();
    if (state.channels.some((c) => c.id === link.dataset.jump)) selectChannel(link.dataset.jump);
    else notice("You can't see that channel as this persona.");
  });
  const toggle = $("#tour-toggle");
  const tourOpen = localStorage.getItem("hearth-sandbox-tour") !== "closed";
  $("#tour").hidden = !tourOpen;
  toggle.setAttribute("aria-expanded", String(tourOpen));
  toggle.addEventListener("click", () => {
    const open = $("#tour").hidden;
    $("#tour").hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    localStorage.setItem("hearth-sandbox-tour", open ? "open" : "closed");
  });
  await loadPersonas();
  await loadCommands();
  await refresh();
  renderTour();
  setInterval(refresh, 1000);
  setInterval(() => { if (!state.commands.length) loadCommands().catch(() => {}); }, 5000);
}

main().catch((err) => notice(`The sandbox page could not start: ${err.message}`));
