// The NASSAV page: one document, views switched by the URL's hash, every call to the same API that
// scripts use. Whatever a site sent (titles, names, reasons) is set as text, never parsed as HTML.

const API = "/nassav/api";
const PAGE_SIZE = 48;
const KEY_STORE = "nassav.apiKey";
const LANGUAGE_STORE = "nassav.language";

const TEXTS = {
  zh: {
    "nav.library": "片库", "nav.add": "添加", "nav.queue": "队列", "nav.sources": "下载源",
    "key.prompt": "此服务需要 API 密钥", "key.save": "保存", "key.wrong": "API 密钥无效，请重新输入",
    "search": "搜索编号、标题或演员", "all": "全部", "downloaded": "已下载", "pending": "未下载",
    "source": "来源", "sort.added": "最近添加", "sort.release_date": "发行日期", "sort.avid": "编号",
    "sort.updated": "最近更新", "previous": "上一页", "next": "下一页", "page": "第 {page} / {pages} 页，共 {total} 部",
    "empty": "没有符合条件的资源", "on_disk": "已下载", "back": "返回片库",
    "download": "下载", "refresh": "刷新", "delete_video": "删除视频", "delete_resource": "删除资源",
    "confirm": "确认", "cancel": "取消", "sure": "确定要{action} {avid} 吗？",
    "add.hint": "一个或多个编号，以空格、逗号或换行分隔", "add.any": "任意源", "add.submit": "添加",
    "outcome.created": "已添加", "outcome.exists": "已存在", "outcome.not-found": "未找到", "outcome.error": "出错",
    "queue.empty": "没有下载任务", "retry": "重试", "speed": "速度", "eta": "剩余",
    "status.pending": "排队中", "status.running": "下载中", "status.completed": "已完成", "status.failed": "失败",
    "status.cancelled": "已取消",
    "cookie.set": "已设置 Cookie", "cookie.unset": "未设置 Cookie", "cookie.save": "保存", "cookie.clear": "清除",
    "cookie.placeholder": "粘贴 Cookie", "done": "完成", "reconnecting": "正在重新连接…",
    "field.title": "标题", "field.source": "来源", "field.release_date": "发行日期", "field.duration": "时长",
    "field.director": "导演", "field.studio": "制作商", "field.label": "发行商", "field.series": "系列",
    "field.actors": "演员", "field.genres": "类别", "field.file_size": "视频大小",
  },
  en: {
    "nav.library": "Library", "nav.add": "Add", "nav.queue": "Queue", "nav.sources": "Sources",
    "key.prompt": "This service needs its API key", "key.save": "Save", "key.wrong": "Wrong API key, enter it again",
    "search": "Search AVID, title or actor", "all": "All", "downloaded": "Downloaded", "pending": "Not downloaded",
    "source": "Source", "sort.added": "Recently added", "sort.release_date": "Release date", "sort.avid": "AVID",
    "sort.updated": "Recently updated", "previous": "Previous", "next": "Next", "page": "Page {page} of {pages}, {total} in all",
    "empty": "Nothing matches", "on_disk": "On disk", "back": "Back to the library",
    "download": "Download", "refresh": "Refresh", "delete_video": "Delete video", "delete_resource": "Delete resource",
    "confirm": "Confirm", "cancel": "Cancel", "sure": "{action} {avid}?",
    "add.hint": "One or more AVIDs, separated by spaces, commas or new lines", "add.any": "Any source", "add.submit": "Add",
    "outcome.created": "added", "outcome.exists": "already there", "outcome.not-found": "not found", "outcome.error": "error",
    "queue.empty": "No download tasks", "retry": "Retry", "speed": "Speed", "eta": "ETA",
    "status.pending": "queued", "status.running": "downloading", "status.completed": "completed", "status.failed": "failed",
    "status.cancelled": "cancelled",
    "cookie.set": "Cookie set", "cookie.unset": "No cookie", "cookie.save": "Save", "cookie.clear": "Clear",
    "cookie.placeholder": "Paste the cookie", "done": "done", "reconnecting": "Reconnecting…",
    "field.title": "Title", "field.source": "Source", "field.release_date": "Release date", "field.duration": "Duration",
    "field.director": "Director", "field.studio": "Studio", "field.label": "Label", "field.series": "Series",
    "field.actors": "Actors", "field.genres": "Genres", "field.file_size": "Video size",
  },
};

let language = localStorage.getItem(LANGUAGE_STORE) === "en" ? "en" : "zh"; // Chinese, as the API speaks, until English is chosen
const t = (key, values = {}) =>
  (TEXTS[language][key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));

// --- the API ---------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(code, message, data) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

const apiKey = () => localStorage.getItem(KEY_STORE) || "";

async function call(method, path, body) {
  const headers = {};
  if (apiKey()) headers["X-Api-Key"] = apiKey();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const envelope = await response.json().catch(() => ({ code: response.status, message: response.statusText, data: null }));
  if (response.status === 401) askForKey(true);
  if (envelope.code >= 400) throw new ApiError(envelope.code, envelope.message, envelope.data);
  return envelope;
}

// A URL the browser fetches by itself (an image, the video, the event stream) cannot carry a header.
function withKey(path) {
  if (!apiKey()) return API + path;
  return API + path + (path.includes("?") ? "&" : "?") + "apikey=" + encodeURIComponent(apiKey());
}

function askForKey(wrong) {
  const form = document.getElementById("key-form");
  form.hidden = false;
  if (wrong) notify(t("key.wrong"));
}

// --- small DOM helpers -------------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function notify(message) {
  const notice = document.getElementById("notice");
  notice.textContent = message;
  notice.hidden = !message;
}

const view = () => document.getElementById("view");

// Bumped at every move between views: a view whose answers arrive after the next move has started
// draws nothing over it.
let navigation = 0;
const stillOn = (ticket) => ticket === navigation;

function show(ticket, ...nodes) {
  if (stillOn(ticket)) view().replaceChildren(...nodes);
}

function formatBytes(bytes) {
  if (!bytes) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m` : `${Math.floor(s / 60)}m${s % 60}s`;
}

// --- the library -------------------------------------------------------------------------------------

function libraryQuery(params) {
  const query = new URLSearchParams({ page: params.get("page") || "1", page_size: String(PAGE_SIZE) });
  for (const name of ["search", "status", "source", "actor", "genre", "sort_by", "order"]) {
    if (params.get(name)) query.set(name, params.get(name));
  }
  if (!query.has("sort_by")) query.set("sort_by", "added");
  if (!query.has("order")) query.set("order", query.get("sort_by") === "avid" ? "asc" : "desc");
  return query;
}

// The library's parameters with some changed; any change but the page's goes back to the first page.
function changedParams(params, changes) {
  const next = new URLSearchParams(params);
  for (const [name, value] of Object.entries(changes)) {
    if (value) next.set(name, value);
    else next.delete(name);
  }
  if (!("page" in changes)) next.delete("page");
  return next;
}

function setParams(params, changes) {
  location.hash = "#/library?" + changedParams(params, changes).toString();
}

// The sources are the server's configuration: asked for once per visit of the page, not per view.
let sourceNames = null;
async function sourceList() {
  sourceNames ??= (await call("GET", "/source/list")).data;
  return sourceNames;
}

async function showLibrary(ticket, params) {
  const sources = await sourceList();
  const search = el("input", { type: "search", "data-testid": "search", placeholder: t("search"), value: params.get("search") || "" });
  let typing;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    // Typing changes the address in place and redraws the grid only: the box keeps its focus.
    typing = setTimeout(() => {
      params = changedParams(params, { search: search.value.trim() });
      history.replaceState(null, "", "#/library?" + params.toString());
      fillGrid(ticket, params, grid, pager);
    }, 300);
  });
  const choose = (name, options) => {
    const select = el("select", { "aria-label": name, onchange: (event) => setParams(params, { [name]: event.target.value }) },
      ...options.map(([value, label]) => el("option", { value, text: label, selected: (params.get(name) || "") === value })));
    return select;
  };
  const toolbar = el("div", { class: "toolbar" }, search,
    choose("status", [["", t("all")], ["downloaded", t("downloaded")], ["pending", t("pending")]]),
    choose("source", [["", t("source")], ...sources.map((name) => [name, name])]),
    choose("sort_by", [["added", t("sort.added")], ["release_date", t("sort.release_date")], ["updated", t("sort.updated")], ["avid", t("sort.avid")]]),
  );
  for (const name of ["actor", "genre"]) {
    if (params.get(name)) toolbar.append(el("button", { text: `${params.get(name)} ×`, onclick: () => setParams(params, { [name]: "" }) }));
  }
  const grid = el("div", { class: "grid" });
  const pager = el("div", { class: "pager" });
  show(ticket, toolbar, grid, pager);
  await fillGrid(ticket, params, grid, pager);
}

let asked = 0; // the latest grid asked for: an older answer arriving late is dropped

async function fillGrid(ticket, params, grid, pager) {
  const mine = ++asked;
  const answer = await call("GET", "/resources/?" + libraryQuery(params).toString());
  if (!stillOn(ticket) || mine !== asked) return;
  grid.replaceChildren(...answer.data.map(libraryItem));
  if (!answer.data.length) grid.append(el("p", { class: "muted", text: t("empty") }));
  const { page, pages, total } = answer.pagination;
  pager.replaceChildren(
    el("button", { text: t("previous"), disabled: page <= 1, onclick: () => setParams(params, { page: String(page - 1) }) }),
    el("span", { text: t("page", { page, pages: Math.max(pages, 1), total }) }),
    el("button", { text: t("next"), disabled: page >= pages, onclick: () => setParams(params, { page: String(page + 1) }) }),
  );
}

function libraryItem(item) {
  return el("a", { class: "card", href: `#/detail/${encodeURIComponent(item.avid)}`, "data-testid": "library-item", "data-avid": item.avid },
    el("img", { src: withKey(item.thumbnail_url.replace(/^\/nassav\/api/, "")), alt: item.avid, loading: "lazy", decoding: "async",
      onerror: (event) => event.target.classList.add("missing") }), // no cover, or none readable: a blank tile
    item.has_video ? el("span", { class: "badge", text: t("on_disk") }) : null,
    el("div", { class: "meta" },
      el("div", { class: "avid", text: item.avid }),
      el("div", { class: "title", text: item.title }),
      el("div", { class: "sub", text: [item.source, item.release_date].filter(Boolean).join(" · ") }),
    ),
  );
}

// --- one resource ------------------------------------------------------------------------------------

async function showDetail(ticket, avid) {
  const info = (await call("GET", `/resource/metadata?avid=${encodeURIComponent(avid)}`)).data;
  const fields = el("dl");
  for (const name of ["title", "source", "release_date", "duration", "director", "studio", "label", "series"]) {
    if (info[name]) fields.append(el("dt", { text: t(`field.${name}`) }), el("dd", { text: String(info[name]) }));
  }
  for (const [name, filter] of [["actors", "actor"], ["genres", "genre"]]) {
    const names = info[name] || [];
    if (!names.length) continue;
    const chips = el("dd", { class: "chips" }, ...names.map((value) =>
      el("a", { href: `#/library?${filter}=${encodeURIComponent(value)}`, text: value })));
    fields.append(el("dt", { text: t(`field.${name}`) }), chips);
  }
  if (info.file_size) fields.append(el("dt", { text: t("field.file_size") }), el("dd", { text: formatBytes(info.file_size) }));
  const picture = info.file_size
    ? el("video", { src: withKey(`/resource/video?avid=${encodeURIComponent(avid)}`), controls: true, preload: "metadata",
      poster: withKey(`/resource/cover?avid=${encodeURIComponent(avid)}`) })
    : el("img", { src: withKey(`/resource/cover?avid=${encodeURIComponent(avid)}`), alt: avid });
  const confirmArea = el("div");
  const act = (testid, label, run, { danger = false, confirm = false } = {}) =>
    el("button", { "data-testid": testid, class: danger ? "danger" : undefined, text: label, onclick: () =>
      confirm ? askToConfirm(confirmArea, label, avid, run) : perform(run) });
  const actions = el("div", { class: "actions" },
    act("download", t("download"), async () => { await call("POST", "/downloads", { avid }); location.hash = "#/queue"; }),
    act("refresh", t("refresh"), async () => { await call("POST", `/resource/refresh/${encodeURIComponent(avid)}`, {}); await route(); }),
    act("delete-video", t("delete_video"), async () => { await call("DELETE", `/downloads/${encodeURIComponent(avid)}`); await route(); },
      { danger: true, confirm: true }),
    act("delete-resource", t("delete_resource"), async () => { await call("DELETE", `/resource/${encodeURIComponent(avid)}`); location.hash = "#/library"; },
      { danger: true, confirm: true }),
  );
  show(ticket, el("section", { class: "detail", "data-testid": "detail", "data-avid": avid },
    el("div", {}, picture),
    el("div", {}, el("h1", { text: avid }), fields, actions, confirmArea, el("a", { href: "#/library", text: t("back") })),
  ));
}

function askToConfirm(area, action, avid, run) {
  area.replaceChildren(el("div", { class: "confirm" },
    el("span", { text: t("sure", { action, avid }) }),
    el("button", { "data-testid": "confirm", class: "primary", text: t("confirm"), onclick: () => { area.replaceChildren(); perform(run); } }),
    el("button", { text: t("cancel"), onclick: () => area.replaceChildren() }),
  ));
}

async function perform(run) {
  try {
    notify("");
    await run();
  } catch (error) {
    notify(error.message);
  }
}

// --- adding ------------------------------------------------------------------------------------------

const OUTCOMES = { 201: "created", 200: "created", 409: "exists", 404: "not-found" };

async function showAdd(ticket) {
  const sources = await sourceList();
  const avids = el("textarea", { "data-testid": "add-avids", placeholder: t("add.hint") });
  const source = el("select", { "data-testid": "add-source" },
    el("option", { value: "any", text: t("add.any") }), ...sources.map((name) => el("option", { value: name, text: name })));
  const results = el("ul", { class: "results" });
  const submit = el("button", { "data-testid": "add-submit", class: "primary", text: t("add.submit") });
  submit.addEventListener("click", () => perform(async () => {
    const wanted = [...new Set(avids.value.split(/[\s,，]+/).map((avid) => avid.trim()).filter(Boolean))];
    if (!wanted.length) return;
    submit.disabled = true;
    results.replaceChildren();
    try {
      for (let first = 0; first < wanted.length; first += 100) {
        const actions = wanted.slice(first, first + 100).map((avid) => ({ action: "add", avid, source: source.value }));
        const answer = await call("POST", "/resources/batch", { actions });
        results.append(...answer.data.results.map(addResult));
      }
    } finally {
      submit.disabled = false;
    }
  }));
  show(ticket, el("section", {}, avids, el("div", { class: "actions" }, source, submit), results));
}

function addResult(result) {
  const outcome = OUTCOMES[result.code] || "error";
  const line = el("li", { "data-testid": "add-result", "data-avid": result.avid, "data-outcome": outcome },
    el("strong", { text: result.avid }), " ", el("span", { text: t(`outcome.${outcome}`) }), " ",
    el("span", { class: "muted", text: outcome === "created" || outcome === "exists" ? (result.data?.title || "") : result.message }));
  const reasons = result.data?.reasons;
  if (reasons) {
    line.append(el("ul", {}, ...Object.entries(reasons).map(([name, reason]) => el("li", { class: "muted", text: `${name}: ${reason}` }))));
  }
  return line;
}

// --- the queue ---------------------------------------------------------------------------------------

let events = null; // the one event stream, open while the queue is shown
const tasks = new Map();

async function showQueue(ticket) {
  tasks.clear();
  show(ticket, el("div", { id: "tasks" }));
  await reloadTasks(ticket);
  if (stillOn(ticket)) openEvents(ticket);
}

function openEvents(ticket) {
  closeEvents();
  const stream = new EventSource(withKey("/downloads/events"));
  events = stream;
  // The stream replays only live tasks: the list is asked for again at every (re)connection, so that
  // a task that ended while the page was away is not left showing as running.
  stream.addEventListener("open", () => {
    notify("");
    reloadTasks(ticket);
  });
  stream.addEventListener("task", (event) => {
    const task = JSON.parse(event.data);
    tasks.set(task.id, task);
    drawTasks();
  });
  stream.addEventListener("error", () => {
    notify(t("reconnecting"));
    if (stream.readyState === EventSource.CLOSED) { // refused (a wrong key, a proxy's error page): try later
      reloadTasks(ticket);
      setTimeout(() => { if (stillOn(ticket) && events === stream) openEvents(ticket); }, 5000);
    } // otherwise the browser reconnects by itself
  });
}

function closeEvents() {
  if (events) {
    events.close();
    events = null;
  }
}

async function reloadTasks(ticket) {
  try {
    const answer = await call("GET", "/downloads/tasks");
    if (!stillOn(ticket)) return;
    for (const task of answer.data) tasks.set(task.id, task);
    drawTasks();
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 401)) notify(error.message);
  }
}

function drawTasks() {
  const list = document.getElementById("tasks");
  if (!list) return;
  const sorted = [...tasks.values()].sort((a, b) => b.created_at - a.created_at);
  list.replaceChildren(...sorted.map(taskRow));
  if (!sorted.length) list.append(el("p", { class: "muted", text: t("queue.empty") }));
}

function taskRow(task) {
  const live = task.status === "pending" || task.status === "running";
  const percent = Math.round(task.percent * 10) / 10;
  const details = [t(`status.${task.status}`)];
  if (task.status === "running") {
    if (task.speed_bps) details.push(`${t("speed")} ${formatBytes(task.speed_bps)}/s`);
    if (task.eta_s !== null && task.eta_s !== undefined) details.push(`${t("eta")} ${formatSeconds(task.eta_s)}`);
  }
  if (task.error && task.status !== "cancelled") details.push(task.error);
  return el("div", { class: "task", "data-testid": "task", "data-avid": task.avid, "data-status": task.status },
    el("div", { class: "line" },
      el("a", { href: `#/detail/${encodeURIComponent(task.avid)}`, text: task.avid }),
      el("span", { text: `${percent}%` }),
      el("span", { class: "muted", text: details.join(" · ") }),
      live ? el("button", { "data-testid": "cancel", class: "danger", text: t("cancel"),
        onclick: () => perform(() => call("DELETE", `/downloads/tasks/${task.id}`)) }) : null,
      task.status === "failed" || task.status === "cancelled" ? el("button", { "data-testid": "retry", text: t("retry"),
        onclick: () => perform(() => call("POST", `/downloads/tasks/${task.id}/retry`)) }) : null,
    ),
    el("progress", { "data-testid": "progress", max: "100", value: String(percent), "aria-valuenow": String(percent),
      "aria-valuemin": "0", "aria-valuemax": "100", "aria-label": task.avid }),
  );
}

// --- sources and their cookies -----------------------------------------------------------------------

async function showSources(ticket) {
  const [sources, cookies] = await Promise.all([sourceList(), call("GET", "/source/cookie")]);
  const withCookie = new Set(cookies.data.map((item) => item.source.toLowerCase()));
  show(ticket, el("section", {}, ...sources.map((name) => sourceRow(name, withCookie.has(name.toLowerCase())))));
}

function sourceRow(name, hasCookie) {
  const value = el("input", { "data-testid": "cookie-value", type: "password", placeholder: t("cookie.placeholder"), autocomplete: "off" });
  return el("div", { class: "source", "data-testid": "source-row", "data-source": name, "data-cookie-set": String(hasCookie) },
    el("div", { class: "line" }, el("strong", { text: name }), el("span", { class: "muted", text: hasCookie ? t("cookie.set") : t("cookie.unset") })),
    el("div", { class: "line" }, value,
      el("button", { "data-testid": "cookie-save", text: t("cookie.save"), onclick: () => perform(async () => {
        if (!value.value.trim()) return;
        await call("POST", "/source/cookie", { source: name, cookie: value.value.trim() });
        await route();
      }) }),
      hasCookie ? el("button", { "data-testid": "cookie-clear", class: "danger", text: t("cookie.clear"), onclick: () => perform(async () => {
        await call("DELETE", `/source/cookie?source=${encodeURIComponent(name)}`);
        await route();
      }) }) : null,
    ),
  );
}

// --- moving between views ----------------------------------------------------------------------------

async function route() {
  closeEvents();
  const ticket = ++navigation;
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query || "");
  const name = path.split("/")[1] || "library";
  for (const link of document.querySelectorAll("nav a")) link.classList.toggle("active", link.getAttribute("href") === `#/${name}`);
  try {
    if (name === "detail") await showDetail(ticket, decodeURIComponent(path.split("/")[2] || ""));
    else if (name === "add") await showAdd(ticket);
    else if (name === "queue") await showQueue(ticket);
    else if (name === "sources") await showSources(ticket);
    else await showLibrary(ticket, params);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 401)) notify(error.message);
  }
}

function translatePage() {
  document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
}

function start() {
  const chooser = document.getElementById("language");
  chooser.value = language;
  chooser.addEventListener("change", () => {
    language = chooser.value;
    localStorage.setItem(LANGUAGE_STORE, language);
    translatePage();
    route();
  });
  document.getElementById("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    localStorage.setItem(KEY_STORE, document.getElementById("api-key").value.trim());
    event.target.hidden = true;
    notify("");
    route();
  });
  translatePage();
  window.addEventListener("hashchange", route);
  route();
}

start();
