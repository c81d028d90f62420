// The Plugin Supervisor dashboard: one server-sent event stream (/api/stream) feeds everything; actions go to
// /api/actions/*, which calls the admin API with the token typed here. No library, nothing loaded from elsewhere.
'use strict';

const MAX_EVENTS = 200;
const state = { plugins: [], trends: {}, events: [], dumps: {}, actionsEnabled: false };
const cards = new Map();
let token = sessionStorage.getItem('supervisor-admin-token') || '';

const $ = (selector, root = document) => root.querySelector(selector);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
};
const short = (enumName) => (enumName || '').replace(/^(PLUGIN_STATE|INSTANCE_STATE|LIFECYCLE_EVENT_TYPE|ROLL_PHASE|ROLL_STRATEGY)_/, '').toLowerCase();
// proto3 JSON durations are strings such as "0.012500s".
const ms = (duration) => (duration ? parseFloat(duration) * 1000 : NaN);
const fmtMs = (value) => (Number.isFinite(value) ? (value >= 100 ? value.toFixed(0) : value.toFixed(1)) + ' ms' : '—');
const fmtNumber = (value) => (value === undefined || value === null || value === '' ? '—' : String(value));
const fmtTime = (iso) => new Date(iso).toLocaleTimeString();

function fmtUptime(startedAt) {
  if (!startedAt) return '—';
  const seconds = Math.max(0, Math.floor((Date.now() - new Date(startedAt)) / 1000));
  if (seconds < 60) return seconds + ' s';
  if (seconds < 3600) return Math.floor(seconds / 60) + ' m ' + (seconds % 60) + ' s';
  return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' m';
}

// CPU and memory per instance come from the admin API where the supervisor measures them; a field it does not
// (yet) send shows as "—".
// CPU as a share of one core between the last two samples of an instance's CPU seconds (GetPlugin's usage).
const cpuSamples = new Map();

function cpuPercent(id, seconds) {
  const previous = cpuSamples.get(id);
  if (previous && previous.seconds === seconds) return previous.percent;
  const at = Date.now() / 1000;
  const percent = previous && at > previous.at ? (100 * (seconds - previous.seconds)) / (at - previous.at) : undefined;
  cpuSamples.set(id, { seconds, at, percent });
  return percent;
}

function resources(instance) {
  const usage = instance.usage || {};
  const cpu = usage.cpuSeconds === undefined ? undefined : cpuPercent(instance.id, Number(usage.cpuSeconds));
  const memory = usage.memoryBytes;
  return {
    cpu: cpu === undefined ? '—' : cpu.toFixed(1) + ' %',
    memory: memory === undefined ? '—' : (Number(memory) / (1024 * 1024)).toFixed(1) + ' MB',
  };
}

async function act(action, body) {
  const response = await fetch('/api/actions/' + action, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
    body: JSON.stringify(body || {}),
  });
  let answer;
  try { answer = await response.json(); } catch { answer = { ok: false, message: response.status + ' ' + response.statusText }; }
  notice((answer.ok ? '' : 'refused: ') + answer.message, answer.ok);
  return answer;
}

function notice(text, ok) {
  const node = $('#notice');
  node.textContent = text;
  node.style.color = ok ? '#9ae6b4' : '#feb2b2';
}

function setLocked(locked) {
  document.body.classList.toggle('locked', locked);
  $('#token').hidden = !locked;
  $('#unlock button[type=submit]').hidden = !locked;
}

$('#unlock').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!state.actionsEnabled) {
    notice('actions are off: the admin API has no Admin:Token', false);
    return;
  }
  token = $('#token').value.trim();
  const answer = await act('verify');
  if (answer.ok) {
    sessionStorage.setItem('supervisor-admin-token', token);
    $('#token').value = '';
    setLocked(false);
  } else {
    token = '';
    setLocked(true);
  }
});

$('#lock').addEventListener('click', () => {
  token = '';
  sessionStorage.removeItem('supervisor-admin-token');
  setLocked(true);
  notice('', true);
});

function card(plugin) {
  let node = cards.get(plugin.name);
  if (node) return node;
  node = el('article', { className: 'plugin' });
  node.dataset.plugin = plugin.name;
  const version = el('input', { className: 'roll-version', placeholder: 'version' });
  const strategy = el('select', { className: 'roll-strategy' }, el('option', { value: 'immediate', textContent: 'immediate' }), el('option', { value: 'canary', textContent: 'canary' }));
  node.append(
    el('header', {}, el('h3', { textContent: plugin.name }), el('span', { className: 'state' }), el('span', { className: 'version' }), el('span', { className: 'roll' })),
    el('p', { className: 'quarantine' }),
    el('div', { className: 'figures' }),
    el('div', { className: 'chart' }, svgChart(), el('div', { className: 'legend' })),
    el('table', {}, el('thead', {}, el('tr', {}, ...['instance', 'version', 'pid', 'state', 'uptime', 'restarts', 'in-flight', 'CPU', 'memory', ''].map((h) => el('th', { textContent: h })))), el('tbody')),
    el('div', { className: 'controls action' },
      el('button', { className: 'restart', textContent: 'Restart', onclick: () => act('restart', { plugin: plugin.name }) }),
      version, strategy,
      el('button', { className: 'roll-button', textContent: 'Roll', onclick: () => act('roll', { plugin: plugin.name, version: version.value.trim(), strategy: strategy.value }) }),
      el('button', { className: 'rollback', textContent: 'Rollback', onclick: () => act('rollback', { plugin: plugin.name }) })));
  $('#plugins').append(node);
  cards.set(plugin.name, node);
  return node;
}

function svgChart() {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('width', '260');
  svg.setAttribute('height', '56');
  svg.setAttribute('viewBox', '0 0 260 56');
  for (const cls of ['calls', 'p99']) {
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('class', cls);
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke-width', '1.5');
    line.setAttribute('stroke', cls === 'calls' ? 'var(--calls)' : 'var(--p99)');
    svg.append(line);
  }
  return svg;
}

function drawChart(node, points) {
  const width = 260, height = 56, span = 5 * 60 * 1000, now = Date.now();
  const draw = (key, cls) => {
    const max = Math.max(1e-9, ...points.map((p) => p[key]));
    const coords = points.filter((p) => now - p.t <= span)
      .map((p) => `${(width - ((now - p.t) / span) * width).toFixed(1)},${(height - 3 - (p[key] / max) * (height - 8)).toFixed(1)}`);
    $('polyline.' + cls, node).setAttribute('points', coords.join(' '));
  };
  draw('callsPerSecond', 'calls');
  draw('p99Ms', 'p99');
  const last = points[points.length - 1];
  $('.legend', node).innerHTML = '';
  $('.legend', node).append(
    el('div', { className: 'c', textContent: 'calls/s ' + (last ? last.callsPerSecond.toFixed(1) : '—') }),
    el('div', { className: 'p', textContent: 'p99 ' + (last ? fmtMs(last.p99Ms) : '—') }),
    el('div', { className: 'muted', textContent: 'last 5 minutes' }));
}

function renderPlugin(plugin) {
  const node = card(plugin);
  const stateName = short(plugin.state);
  const badge = $('.state', node);
  badge.textContent = stateName;
  badge.className = 'state ' + stateName;
  $('.version', node).textContent = 'v' + plugin.activeVersion;
  const roll = plugin.roll;
  const rolling = roll && ['ROLL_PHASE_STARTING', 'ROLL_PHASE_SHIFTING', 'ROLL_PHASE_DRAINING'].includes(roll.phase);
  $('.roll', node).textContent = rolling
    ? `rolling ${roll.fromVersion} → ${roll.toVersion}: ${short(roll.phase)}, ${roll.weightPercent}% to ${roll.toVersion}` +
      (short(roll.strategy) === 'canary' ? ` (canary step ${roll.step}/${roll.steps})` : '')
    : '';
  $('.quarantine', node).textContent = plugin.quarantineReason ? 'quarantined: ' + plugin.quarantineReason : '';
  const counters = plugin.counters || {};
  const latency = plugin.latency || {};
  const figures = $('.figures', node);
  figures.innerHTML = '';
  for (const [label, value, cls] of [
    ['calls', fmtNumber(counters.calls), 'calls'], ['failures', fmtNumber(counters.failures), 'failures'],
    ['timeouts', fmtNumber(counters.timeouts), 'timeouts'], ['kills', fmtNumber(counters.kills), 'kills'],
    ['p50', fmtMs(ms(latency.p50)), 'p50'], ['p99', fmtMs(ms(latency.p99)), 'p99'],
    ['instances', `${(plugin.instances || []).filter((i) => i.state === 'INSTANCE_STATE_READY').length}/${plugin.desiredInstances}`, 'ready']]) {
    figures.append(el('div', { className: cls }, el('b', { textContent: value }), el('span', { textContent: label })));
  }
  // Rows are updated in place, so a button is never replaced under the pointer.
  const body = $('tbody', node);
  const seen = new Set();
  for (const instance of plugin.instances || []) {
    seen.add(instance.id);
    let row = body.querySelector(`tr[data-instance="${CSS.escape(instance.id)}"]`);
    if (!row) {
      row = el('tr', {}, ...['id', 'iversion', 'pid', 'istate', 'uptime', 'restarts', 'inflight', 'cpu', 'memory'].map((cls) => el('td', { className: cls })),
        el('td', {}, el('button', { className: 'kill action danger', textContent: 'Kill', onclick: () => act('kill', { plugin: plugin.name, instanceId: instance.id }) })));
      row.dataset.instance = instance.id;
      body.append(row);
    }
    const use = resources(instance);
    const cells = {
      id: instance.id, iversion: instance.version, pid: instance.pid,
      istate: short(instance.state) + (instance.stopReason ? ` (${instance.stopReason})` : ''),
      uptime: fmtUptime(instance.startedAt), restarts: fmtNumber(instance.restarts), inflight: fmtNumber(instance.inFlight),
      cpu: use.cpu, memory: use.memory,
    };
    for (const [cls, text] of Object.entries(cells)) {
      const cell = $('.' + cls, row);
      if (cell.textContent !== String(text)) cell.textContent = text;
    }
  }
  for (const row of [...body.children]) if (!seen.has(row.dataset.instance)) row.remove();
  drawChart(node, state.trends[plugin.name] || []);
}

function renderPlugins() {
  for (const plugin of state.plugins) renderPlugin(plugin);
}

function eventClass(type) {
  if (['EXITED', 'KILLED', 'QUARANTINED', 'START_FAILED', 'ROLL_ABORTED'].includes(type)) return 'bad';
  if (type.startsWith('ROLL')) return 'roll';
  if (['READY', 'QUARANTINE_LIFTED'].includes(type)) return 'good';
  return '';
}

function addEvent(event) {
  const type = short(event.type).toUpperCase();
  const item = el('li', { className: eventClass(type) },
    el('span', { className: 'when', textContent: fmtTime(event.time) }),
    el('span', { className: 'type', textContent: short(event.type).replace(/_/g, ' ') }), ' ',
    el('span', { className: 'who', textContent: `${event.plugin} ${event.version}${event.instanceId ? ' · ' + event.instanceId : ''}${event.reason ? ' · ' + event.reason : ''}` }),
    el('div', { className: 'message', textContent: event.message }));
  item.dataset.type = type;
  item.dataset.plugin = event.plugin;
  if (event.hangDump && event.hangDump.method) {
    item.append(el('details', {}, el('summary', { textContent: 'stacks (' + event.hangDump.method + ')' }), el('pre', { textContent: event.hangDump.text || event.hangDump.error })));
    showDump(event.hangDump);
  }
  const list = $('#events');
  list.prepend(item);
  while (list.children.length > MAX_EVENTS) list.lastChild.remove();
}

function showDump(dump) {
  const node = $('#dump');
  node.innerHTML = '';
  node.append(
    el('div', { textContent: `${dump.plugin} ${dump.version} · ${dump.instanceId} (pid ${dump.pid}) · ${fmtTime(dump.capturedAt)} · ${dump.method}, ${fmtMs(ms(dump.took))}` }),
    dump.error ? el('p', { className: 'quarantine', textContent: dump.error }) : '',
    el('pre', { className: 'stacks', textContent: dump.text }));
}

function connect() {
  const source = new EventSource('/api/stream');
  const connection = $('#connection');
  source.addEventListener('open', () => { connection.textContent = 'live'; connection.classList.add('live'); });
  source.addEventListener('error', () => { connection.textContent = 'reconnecting…'; connection.classList.remove('live'); });
  source.addEventListener('snapshot', (message) => {
    const snapshot = JSON.parse(message.data);
    state.actionsEnabled = snapshot.actionsEnabled;
    state.plugins = snapshot.plugins;
    state.trends = snapshot.trends;
    $('#events').innerHTML = '';
    const dumps = (snapshot.dumps || []).sort((a, b) => new Date(a.capturedAt) - new Date(b.capturedAt));
    if (dumps.length) showDump(dumps[dumps.length - 1]);
    for (const event of snapshot.events) addEvent(event);
    if (!state.actionsEnabled) {
      $('#token').disabled = true;
      $('#token').placeholder = 'actions off (no Admin:Token)';
    }
    renderPlugins();
  });
  source.addEventListener('plugins', (message) => {
    const update = JSON.parse(message.data);
    state.plugins = update.plugins;
    for (const [plugin, point] of Object.entries(update.latest)) {
      const points = (state.trends[plugin] = state.trends[plugin] || []);
      if (!points.length || points[points.length - 1].t !== point.t) points.push(point);
      if (points.length > 150) points.shift();
    }
    renderPlugins();
  });
  source.addEventListener('lifecycle', (message) => addEvent(JSON.parse(message.data)));
}

setLocked(!token);
connect();
