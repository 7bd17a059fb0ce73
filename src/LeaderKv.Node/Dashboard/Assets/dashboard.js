// The LeaderKV dashboard: reads /ui/events (Server-Sent Events, one JSON ClusterFrame per event)
// from the node that served this page, and nothing else. fetch() rather than EventSource, so that
// an API key (#key=… in the address, kept for this tab only) can go in the Authorization header.
"use strict";

const staleAfterMs = 3000;
const reconnectMs = 2000;
const key = readKey();
let lastFrameAt = 0;
let frameCount = 0;

function readKey() {
  const match = /(?:^|[#&])key=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem("leaderkv-key", decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem("leaderkv-key");
}

function headers(extra) {
  const all = Object.assign({}, extra);
  if (key) all.Authorization = "Bearer " + key;
  return all;
}

async function stream() {
  for (;;) {
    try {
      const response = await fetch("/ui/events", { headers: headers({ Accept: "text/event-stream" }), cache: "no-store" });
      if (!response.ok) {
        setConnection("lost", response.status === 401 || response.status === 403
          ? "needs an API key: open /ui#key=YOUR_KEY"
          : "HTTP " + response.status);
      } else {
        await readEvents(response.body.getReader());
        setConnection("lost", "stream ended");
      }
    } catch (error) {
      setConnection("lost", "cannot reach this node");
    }
    await new Promise(resolve => setTimeout(resolve, reconnectMs));
  }
}

async function readEvents(reader) {
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split("\n").filter(l => l.startsWith("data:")).map(l => l.slice(5).trimStart()).join("\n");
      if (data) render(JSON.parse(data));
    }
  }
}

function setConnection(state, text) {
  const element = document.getElementById("connection");
  element.dataset.state = state;
  element.textContent = text;
}

setInterval(() => {
  if (lastFrameAt && Date.now() - lastFrameAt > staleAfterMs) {
    setConnection("stale", "no news for " + Math.round((Date.now() - lastFrameAt) / 1000) + " s");
  }
}, 1000);

function el(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null) continue;
    if (name === "class") element.className = value;
    else if (name.startsWith("data-")) element.setAttribute(name, value);
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function show(value) {
  return value === null || value === undefined ? "–" : String(value);
}

function ms(value) {
  return value === null || value === undefined ? "–" : value > 0 && value < 10 ? value.toFixed(1) : Math.round(value).toString();
}

function render(frame) {
  lastFrameAt = Date.now();
  frameCount++;
  document.body.classList.toggle("with-control", frame.control);
  document.body.dataset.frames = String(frameCount);
  setConnection("live", "live from " + frame.self);
  const up = frame.nodes.filter(n => n.up).length;
  document.getElementById("summary").textContent = frame.leaderId
    ? `leader ${frame.leaderId} · term ${frame.term} · ${up} of ${frame.nodes.length} nodes up · WRITE_QUORUM ${frame.writeQuorum}`
    : `no leader (term ${frame.term}) · ${up} of ${frame.nodes.length} nodes up`;
  renderNodes(frame);
  renderQuorum(frame);
  renderWrites(frame.writes);
  renderFeed(frame.feed);
}

function renderNodes(frame) {
  const latest = frame.latestWrite;
  const rows = frame.nodes.map(node => {
    const role = node.up ? node.role : "down";
    const isLeader = node.up && node.id === frame.leaderId;
    const view = node.leaderView;
    let acked = "–";
    if (latest) {
      if (isLeader) acked = el("span", { class: "yes" }, "leader");
      else if (latest.ackedBy.includes(node.id)) acked = el("span", { class: "yes", "data-acked": "true" }, "acked");
      else acked = el("span", { class: "no" }, "not acked");
    }
    return el("tr", { "data-node": node.id, "data-role": role, "data-up": String(node.up) },
      el("td", null, isLeader ? el("span", { class: "leader-mark", title: "leader" }, "★") : null,
        el("a", { href: node.url.replace(/\/?$/, "/") + "ui" }, node.id), node.id === frame.self ? el("span", { class: "muted" }, " (this page)") : null),
      el("td", { class: "role role-" + role }, role + (node.recovering ? " (recovering)" : "") + (node.tainted ? " (tainted)" : ""),
        node.up ? null : el("div", { class: "muted" }, node.error)),
      el("td", null, show(node.term)),
      el("td", null, show(node.commitIndex)),
      el("td", null, show(node.appliedThrough)),
      el("td", null, show(node.lastIndex)),
      el("td", { class: "lag" }, show(node.lagEntries)),
      el("td", { class: "lag-ms" }, ms(node.lagMs)),
      el("td", null, view ? `${view.state} · acked ${view.ackedIndex} · ${view.lastHeardMsAgo === null || view.lastHeardMsAgo === undefined ? "never heard" : ms(view.lastHeardMsAgo) + " ms ago"}` : "–"),
      el("td", null, acked),
      el("td", { class: "controls-column" }, frame.control ? controls(node.id) : null));
  });
  document.querySelector("#nodes tbody").replaceChildren(...rows);
}

function controls(node) {
  return [
    el("button", { class: "danger", title: "kill -9", onclick: () => control(node, "stop") }, "stop"),
    el("button", { title: "SIGSTOP", onclick: () => control(node, "pause") }, "pause"),
    el("button", { title: "SIGCONT", onclick: () => control(node, "resume") }, "resume"),
    el("button", { title: "start it again on its data directory", onclick: () => control(node, "restart") }, "restart"),
  ];
}

async function control(node, action) {
  const status = document.getElementById("control-status");
  status.textContent = `${action} ${node}…`;
  try {
    const response = await fetch(`/ui/control/${encodeURIComponent(node)}/${action}`, {
      method: "POST",
      headers: headers({ "X-LeaderKV-Dashboard": "1" }),
    });
    const body = await response.json().catch(() => ({}));
    status.textContent = response.ok ? (body.detail || `${action} ${node}: done`) : `${action} ${node}: ${body.detail || "HTTP " + response.status}`;
  } catch (error) {
    status.textContent = `${action} ${node}: no answer (this page's node may be the one stopped; open another node's page)`;
  }
}

function renderQuorum(frame) {
  const target = document.getElementById("quorum");
  const latest = frame.latestWrite;
  if (!latest) {
    target.replaceChildren(el("p", { class: "muted" }, "no write yet"));
    return;
  }
  const followers = frame.nodes.filter(n => n.id !== frame.leaderId);
  target.replaceChildren(
    el("p", { "data-index": latest.index }, `#${latest.index} '${latest.key}' in term ${latest.term}: committed; ${latest.ackedBy.length} followers had acked it (WRITE_QUORUM ${frame.writeQuorum} needed)`),
    el("div", { class: "chips" },
      el("span", { class: "chip self" }, `${frame.leaderId} (leader, logged)`),
      followers.map(n => el("span", { class: "chip" + (latest.ackedBy.includes(n.id) ? " acked" : ""), "data-node": n.id },
        (latest.ackedBy.includes(n.id) ? "✓ " : "· ") + n.id))));
}

function renderWrites(writes) {
  const svg = document.getElementById("rate");
  const stats = document.getElementById("write-stats");
  if (!writes) {
    svg.replaceChildren();
    stats.replaceChildren(el("dt", null, "writes"), el("dd", null, "no leader"));
    return;
  }
  const perSecond = writes.committedPerSecond;
  const peak = Math.max(1, ...perSecond);
  const width = 600 / perSecond.length;
  const ns = "http://www.w3.org/2000/svg";
  svg.replaceChildren(...perSecond.map((count, i) => {
    const bar = document.createElementNS(ns, "rect");
    const height = (count / peak) * 76;
    bar.setAttribute("x", String(i * width + 0.5));
    bar.setAttribute("y", String(80 - height));
    bar.setAttribute("width", String(Math.max(1, width - 1)));
    bar.setAttribute("height", String(height));
    const title = document.createElementNS(ns, "title");
    title.textContent = `${count} writes, ${perSecond.length - 1 - i} s ago`;
    bar.append(title);
    return bar;
  }));
  const items = [
    ["committed / min", writes.committed],
    ["last second", perSecond[perSecond.length - 2] ?? 0],
    ["p50 ms", ms(writes.p50Ms)],
    ["p99 ms", ms(writes.p99Ms)],
    ["max ms", ms(writes.maxMs)],
    ["peak / s", Math.max(0, ...perSecond)],
    ["rejected", writes.rejected],
    ["unknown", writes.unknown],
  ];
  stats.replaceChildren(...items.flatMap(([name, value]) => [el("dt", null, name), el("dd", null, show(value))]));
}

function renderFeed(feed) {
  const list = document.getElementById("feed");
  list.replaceChildren(...feed.map(e => el("li", { "data-kind": e.kind, "data-node": e.node },
    el("span", { class: "time" }, new Date(e.atMs).toLocaleTimeString([], { hour12: false }) + "." + String(e.atMs % 1000).padStart(3, "0")),
    el("span", { class: "node" }, e.node),
    el("span", { class: "text" }, e.text))));
}

stream();
